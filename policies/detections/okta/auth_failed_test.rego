package vigil.detections.okta.auth_failed_test

import data.vigil.detections.okta.auth_failed as det

# true positive: bad password
test_fires_bad_password if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.session.start",
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
			"eventType": "user.session.start",
			"actor": {
				"alternateId": "dave@acme.example",
				"type": "User"
			},
			"outcome": {
				"result": "FAILURE",
				"reason": "INVALID_CREDENTIALS"
			},
			"client": {
				"ipAddress": "198.18.0.40"
			}
		}
	}
}

# true negative: successful sign-in
test_quiet_successful_sign_in if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.session.start",
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
			"eventType": "user.session.start",
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

# true negative: failed unrelated event
test_quiet_failed_unrelated_event if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.account.update_profile",
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
			"eventType": "user.account.update_profile",
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
