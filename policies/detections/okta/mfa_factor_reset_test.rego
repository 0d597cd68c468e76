package vigil.detections.okta.mfa_factor_reset_test

import data.vigil.detections.okta.mfa_factor_reset as det

# true positive: all factors reset
test_fires_all_factors_reset if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.mfa.factor.reset_all",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "helpdesk@acme.example",
			"target": {
				"name": "cfo@acme.example"
			}
		},
		"source": {
			"ip": "198.18.0.40"
		},
		"okta": {
			"eventType": "user.mfa.factor.reset_all",
			"actor": {
				"alternateId": "helpdesk@acme.example",
				"type": "User"
			},
			"outcome": {
				"result": "SUCCESS"
			},
			"client": {
				"ipAddress": "198.18.0.40"
			},
			"target": [
				{
					"alternateId": "cfo@acme.example",
					"type": "User"
				}
			]
		}
	}
}

# true negative: factor enrolled
test_quiet_factor_enrolled if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.mfa.factor.activate",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "dave@acme.example",
			"target": {
				"name": "cfo@acme.example"
			}
		},
		"source": {
			"ip": "198.18.0.40"
		},
		"okta": {
			"eventType": "user.mfa.factor.activate",
			"actor": {
				"alternateId": "dave@acme.example",
				"type": "User"
			},
			"outcome": {
				"result": "SUCCESS"
			},
			"client": {
				"ipAddress": "198.18.0.40"
			},
			"target": [
				{
					"alternateId": "cfo@acme.example",
					"type": "User"
				}
			]
		}
	}
}
