package vigil.detections.aws.console_login_without_mfa_test

import data.vigil.detections.aws.console_login_without_mfa as det

# true positive: password-only console sign-in
test_fires_password_only_console_sign_in if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ConsoleLogin",
			"outcome": "success"
		},
		"user": {
			"name": "bob"
		},
		"source": {
			"ip": "198.18.0.10"
		},
		"cloud": {
			"provider": "aws",
			"account": {
				"id": "111122223333"
			}
		},
		"aws": {
			"cloudtrail": {
				"eventName": "ConsoleLogin",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "bob",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"additionalEventData": {
					"MFAUsed": "No"
				}
			}
		}
	}
}

# true negative: sign-in with MFA
test_quiet_sign_in_with_mfa if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ConsoleLogin",
			"outcome": "success"
		},
		"user": {
			"name": "bob"
		},
		"source": {
			"ip": "198.18.0.10"
		},
		"cloud": {
			"provider": "aws",
			"account": {
				"id": "111122223333"
			}
		},
		"aws": {
			"cloudtrail": {
				"eventName": "ConsoleLogin",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "bob",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"additionalEventData": {
					"MFAUsed": "Yes"
				}
			}
		}
	}
}

# true negative: federated role sign-in
test_quiet_federated_role_sign_in if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ConsoleLogin",
			"outcome": "success"
		},
		"user": {
			"name": "bob"
		},
		"source": {
			"ip": "198.18.0.10"
		},
		"cloud": {
			"provider": "aws",
			"account": {
				"id": "111122223333"
			}
		},
		"aws": {
			"cloudtrail": {
				"eventName": "ConsoleLogin",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "AssumedRole",
					"userName": "bob",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"additionalEventData": {
					"MFAUsed": "No"
				}
			}
		}
	}
}
