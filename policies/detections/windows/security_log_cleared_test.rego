package vigil.detections.windows.security_log_cleared_test

import data.vigil.detections.windows.security_log_cleared as det

# true positive: 1102
test_fires_1102 if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "1102"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 1102,
			"channel": "Security",
			"event_data": {
				"SubjectUserName": "eve"
			}
		}
	}
}

# true positive: 104 System log
test_fires_104_system_log if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.system",
			"module": "windows",
			"code": "104"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 104,
			"channel": "System",
			"event_data": {
				"Channel": "System"
			}
		}
	}
}

# true negative: 104 from another channel id
test_quiet_104_from_another_channel_id if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "104"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 104,
			"channel": "Security",
			"event_data": {}
		}
	}
}
