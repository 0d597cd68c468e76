package vigil.detections.okta.policy_changed_test

import data.vigil.detections.okta.policy_changed as det

# true positive: MFA rule deactivated
test_fires_mfa_rule_deactivated if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "policy.rule.deactivate",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "admin@acme.example"
		},
		"source": {
			"ip": "198.18.0.40"
		},
		"okta": {
			"eventType": "policy.rule.deactivate",
			"actor": {
				"alternateId": "admin@acme.example",
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

# true negative: policy created
test_quiet_policy_created if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "policy.lifecycle.create",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "admin@acme.example"
		},
		"source": {
			"ip": "198.18.0.40"
		},
		"okta": {
			"eventType": "policy.lifecycle.create",
			"actor": {
				"alternateId": "admin@acme.example",
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
