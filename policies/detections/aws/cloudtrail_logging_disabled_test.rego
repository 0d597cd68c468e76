package vigil.detections.aws.cloudtrail_logging_disabled_test

import data.vigil.detections.aws.cloudtrail_logging_disabled as det

# true positive: StopLogging by an IAM user
test_fires_stoplogging_by_an_iam_user if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "StopLogging",
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
				"eventName": "StopLogging",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"name": "org-trail"
				}
			}
		}
	}
}

# true negative: DescribeTrails is read-only
test_quiet_describetrails_is_read_only if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "DescribeTrails",
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
				"eventName": "DescribeTrails",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333"
			}
		}
	}
}

# true negative: StopLogging denied
test_quiet_stoplogging_denied if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "StopLogging",
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
				"eventName": "StopLogging",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"name": "org-trail"
				}
			}
		}
	}
}
