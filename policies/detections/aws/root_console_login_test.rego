package vigil.detections.aws.root_console_login_test

import data.vigil.detections.aws.root_console_login as det

# true positive: root signs in
test_fires_root_signs_in if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ConsoleLogin",
			"outcome": "success"
		},
		"user": {
			"name": "root"
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
					"type": "Root",
					"userName": "root",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333"
			}
		}
	}
}

# true negative: IAM user signs in
test_quiet_iam_user_signs_in if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ConsoleLogin",
			"outcome": "success"
		},
		"user": {
			"name": "alice"
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
					"userName": "alice",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333"
			}
		}
	}
}

# true negative: root sign-in fails
test_quiet_root_sign_in_fails if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ConsoleLogin",
			"outcome": "failure"
		},
		"user": {
			"name": "root"
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
					"type": "Root",
					"userName": "root",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333"
			}
		}
	}
}
