package vigil.detections.aws.kms_key_disabled_or_deleted_test

import data.vigil.detections.aws.kms_key_disabled_or_deleted as det

# true positive: key scheduled for deletion
test_fires_schedule_deletion if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ScheduleKeyDeletion",
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
				"eventName": "ScheduleKeyDeletion",
				"eventSource": "kms.amazonaws.com",
				"requestParameters": {
					"keyId": "1234abcd",
					"pendingWindowInDays": 7
				},
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				}
			}
		}
	}
}

# true positive: key disabled
test_fires_disable_key if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "DisableKey",
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
				"eventName": "DisableKey",
				"eventSource": "kms.amazonaws.com",
				"requestParameters": {
					"keyId": "1234abcd"
				},
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				}
			}
		}
	}
}

# true negative: decrypt
test_quiet_decrypt if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "Decrypt",
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
				"eventName": "Decrypt",
				"eventSource": "kms.amazonaws.com",
				"requestParameters": {},
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				}
			}
		}
	}
}

# true negative: failed DisableKey
test_quiet_failed_disable if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "DisableKey",
			"outcome": "failure"
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
				"eventName": "DisableKey",
				"eventSource": "kms.amazonaws.com",
				"requestParameters": {
					"keyId": "1234abcd"
				},
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				}
			}
		}
	}
}
