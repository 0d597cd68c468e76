package vigil.detections.windows.service_installed_test

import data.vigil.detections.windows.service_installed as det

# true positive: service from temp
test_fires_service_from_temp if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.system",
			"module": "windows",
			"code": "7045"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 7045,
			"channel": "System",
			"event_data": {
				"ServiceName": "updsvc",
				"ImagePath": "C:\\Windows\\Temp\\upd.exe"
			}
		}
	}
}

# true positive: 4697 service
test_fires_4697_service if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "4697"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 4697,
			"channel": "Security",
			"event_data": {
				"ServiceName": "AcmeAgent",
				"ServiceFileName": "\"C:\\Program Files\\Acme\\agent.exe\""
			}
		}
	}
}

# true negative: service stopped
test_quiet_service_stopped if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.system",
			"module": "windows",
			"code": "7036"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 7036,
			"channel": "System",
			"event_data": {
				"param1": "Print Spooler",
				"param2": "stopped"
			}
		}
	}
}
