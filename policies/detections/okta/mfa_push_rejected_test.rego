package vigil.detections.okta.mfa_push_rejected_test

import data.vigil.detections.okta.mfa_push_rejected as det

# true positive: push denied
test_fires_push_denied if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.mfa.okta_verify.deny_push",
			"outcome": "failure"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "dave@acme.example"
		},
		"source": {
			"ip": "198.18.0.40"
		},
		"okta": {
			"eventType": "user.mfa.okta_verify.deny_push",
			"actor": {
				"alternateId": "dave@acme.example",
				"type": "User"
			},
			"outcome": {
				"result": "FAILURE"
			},
			"client": {
				"ipAddress": "198.18.0.40"
			}
		}
	}
}

# true negative: push accepted
test_quiet_push_accepted if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.authentication.auth_via_mfa",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "dave@acme.example"
		},
		"source": {
			"ip": "198.18.0.40"
		},
		"okta": {
			"eventType": "user.authentication.auth_via_mfa",
			"actor": {
				"alternateId": "dave@acme.example",
				"type": "User"
			},
			"outcome": {
				"result": "SUCCESS"
			},
			"client": {
				"ipAddress": "198.18.0.40"
			}
		}
	}
}
