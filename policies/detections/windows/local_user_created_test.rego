package vigil.detections.windows.local_user_created_test

import data.vigil.detections.windows.local_user_created as det

# true positive: account created
test_fires_account_created if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "4720"
		},
		"host": {
			"name": "srv-02"
		},
		"user": {
			"name": "eve",
			"target": {
				"name": "support2"
			}
		},
		"winlog": {
			"event_id": 4720,
			"channel": "Security",
			"event_data": {
				"TargetUserName": "support2"
			}
		}
	}
}

# true negative: account deleted
test_quiet_account_deleted if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "4726"
		},
		"host": {
			"name": "srv-02"
		},
		"user": {
			"name": "eve",
			"target": {
				"name": "support2"
			}
		},
		"winlog": {
			"event_id": 4726,
			"channel": "Security",
			"event_data": {}
		}
	}
}
