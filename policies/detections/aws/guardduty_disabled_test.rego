package vigil.detections.aws.guardduty_disabled_test

import data.vigil.detections.aws.guardduty_disabled as det

# true positive: detector deleted
test_fires_detector_deleted if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "DeleteDetector",
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
				"eventName": "DeleteDetector",
				"eventSource": "guardduty.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"detectorId": "d-1"
				}
			}
		}
	}
}

# true positive: detector disabled
test_fires_detector_disabled if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "UpdateDetector",
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
				"eventName": "UpdateDetector",
				"eventSource": "guardduty.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"detectorId": "d-1",
					"enable": false
				}
			}
		}
	}
}

# true negative: detector settings changed
test_quiet_detector_settings_changed if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "UpdateDetector",
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
				"eventName": "UpdateDetector",
				"eventSource": "guardduty.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"detectorId": "d-1",
					"enable": true
				}
			}
		}
	}
}

# true negative: ListDetectors
test_quiet_listdetectors if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ListDetectors",
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
				"eventName": "ListDetectors",
				"eventSource": "guardduty.amazonaws.com",
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
