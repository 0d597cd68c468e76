package vigil.detections.windows.wevtutil_clear_log_test

import data.vigil.detections.windows.wevtutil_clear_log as det

# true positive: wevtutil cl Security
test_fires_wevtutil_cl_security if {
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
				"Image": "C:\\Windows\\System32\\wevtutil.exe",
				"CommandLine": "wevtutil cl Security"
			}
		},
		"process": {
			"name": "wevtutil.exe",
			"executable": "C:\\Windows\\System32\\wevtutil.exe",
			"command_line": "wevtutil cl Security"
		}
	}
}

# true negative: wevtutil qe
test_quiet_wevtutil_qe if {
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
				"Image": "C:\\Windows\\System32\\wevtutil.exe",
				"CommandLine": "wevtutil qe System /c:5"
			}
		},
		"process": {
			"name": "wevtutil.exe",
			"executable": "C:\\Windows\\System32\\wevtutil.exe",
			"command_line": "wevtutil qe System /c:5"
		}
	}
}
