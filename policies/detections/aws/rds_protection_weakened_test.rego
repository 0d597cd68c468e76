package vigil.detections.aws.rds_protection_weakened_test

import data.vigil.detections.aws.rds_protection_weakened as det

# true positive: instance made public
test_fires_made_public if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ModifyDBInstance",
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
				"eventName": "ModifyDBInstance",
				"eventSource": "rds.amazonaws.com",
				"requestParameters": {
					"dBInstanceIdentifier": "orders",
					"publiclyAccessible": true
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

# true positive: cluster deletion protection disabled
test_fires_deletion_protection_off if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ModifyDBCluster",
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
				"eventName": "ModifyDBCluster",
				"eventSource": "rds.amazonaws.com",
				"requestParameters": {
					"dBClusterIdentifier": "orders",
					"deletionProtection": false
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

# true positive: activity stream stopped
test_fires_activity_stream_stopped if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "StopActivityStream",
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
				"eventName": "StopActivityStream",
				"eventSource": "rds.amazonaws.com",
				"requestParameters": {
					"resourceArn": "arn:aws:rds:us-east-1:111122223333:cluster:orders"
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

# true negative: storage resized
test_quiet_storage_change if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ModifyDBInstance",
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
				"eventName": "ModifyDBInstance",
				"eventSource": "rds.amazonaws.com",
				"requestParameters": {
					"dBInstanceIdentifier": "orders",
					"allocatedStorage": 200
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

# true negative: made private
test_quiet_made_private if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ModifyDBInstance",
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
				"eventName": "ModifyDBInstance",
				"eventSource": "rds.amazonaws.com",
				"requestParameters": {
					"dBInstanceIdentifier": "orders",
					"publiclyAccessible": false,
					"deletionProtection": true
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
