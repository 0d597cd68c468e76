package vigil.detections.windows.scheduled_task_created_test

import data.vigil.detections.windows.scheduled_task_created as det

# true positive: 4698 task registered
test_fires_4698_task_registered if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "4698"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 4698,
			"channel": "Security",
			"event_data": {
				"TaskName": "\\Microsoft\\Windows\\Updater",
				"TaskContent": "<Task/>"
			}
		}
	}
}

# true positive: schtasks /create
test_fires_schtasks_create if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"action": "process-created",
			"code": "1"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 1,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"Image": "C:\\Windows\\System32\\schtasks.exe",
				"CommandLine": "schtasks /create /sc minute /mo 5 /tn upd /tr C:\\Users\\Public\\u.exe"
			}
		},
		"process": {
			"name": "schtasks.exe",
			"executable": "C:\\Windows\\System32\\schtasks.exe",
			"command_line": "schtasks /create /sc minute /mo 5 /tn upd /tr C:\\Users\\Public\\u.exe"
		}
	}
}

# true negative: schtasks /query
test_quiet_schtasks_query if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"action": "process-created",
			"code": "1"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 1,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"Image": "C:\\Windows\\System32\\schtasks.exe",
				"CommandLine": "schtasks /query /fo LIST"
			}
		},
		"process": {
			"name": "schtasks.exe",
			"executable": "C:\\Windows\\System32\\schtasks.exe",
			"command_line": "schtasks /query /fo LIST"
		}
	}
}
