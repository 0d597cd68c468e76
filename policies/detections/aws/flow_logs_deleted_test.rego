package vigil.detections.aws.flow_logs_deleted_test

import data.vigil.detections.aws.flow_logs_deleted as det

# true positive: flow logs deleted
test_fires_delete_flow_logs if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "DeleteFlowLogs",
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
				"eventName": "DeleteFlowLogs",
				"eventSource": "ec2.amazonaws.com",
				"requestParameters": {
					"DeleteFlowLogsRequest": {
						"FlowLogId": {
							"content": "fl-0ef6"
						}
					}
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

# true negative: flow logs described
test_quiet_describe_flow_logs if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "DescribeFlowLogs",
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
				"eventName": "DescribeFlowLogs",
				"eventSource": "ec2.amazonaws.com",
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
