package vigil.detections.aws.access_key_for_other_user_test

import data.vigil.detections.aws.access_key_for_other_user as det

# true positive: key for another user
test_fires_key_for_another_user if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "CreateAccessKey",
			"outcome": "success"
		},
		"user": {
			"name": "mallory"
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
				"eventName": "CreateAccessKey",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"userName": "backup-svc"
				}
			}
		}
	}
}

# true negative: key for oneself
test_quiet_key_for_oneself if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "CreateAccessKey",
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
				"eventName": "CreateAccessKey",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "alice",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"userName": "alice"
				}
			}
		}
	}
}

# true negative: automation account
test_quiet_automation_account if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "CreateAccessKey",
			"outcome": "success"
		},
		"user": {
			"name": "terraform-ci"
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
				"eventName": "CreateAccessKey",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "terraform-ci",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"userName": "backup-svc"
				}
			}
		}
	}
}
