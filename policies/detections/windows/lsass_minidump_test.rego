package vigil.detections.windows.lsass_minidump_test

import data.vigil.detections.windows.lsass_minidump as det

# true positive: comsvcs MiniDump
test_fires_comsvcs_minidump if {
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
				"Image": "C:\\Windows\\System32\\rundll32.exe",
				"CommandLine": "rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 624 C:\\temp\\l.dmp full"
			}
		},
		"process": {
			"name": "rundll32.exe",
			"executable": "C:\\Windows\\System32\\rundll32.exe",
			"command_line": "rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 624 C:\\temp\\l.dmp full"
		}
	}
}

# true positive: procdump -ma lsass
test_fires_procdump_ma_lsass if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"action": "created-process",
			"code": "4688"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 4688,
			"channel": "Security",
			"event_data": {
				"Image": "C:\\tools\\procdump64.exe",
				"CommandLine": "procdump64.exe -accepteula -ma lsass.exe C:\\temp\\l.dmp"
			}
		},
		"process": {
			"name": "procdump64.exe",
			"executable": "C:\\tools\\procdump64.exe",
			"command_line": "procdump64.exe -accepteula -ma lsass.exe C:\\temp\\l.dmp"
		}
	}
}

# true negative: procdump of another process
test_quiet_procdump_of_another_process if {
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
				"Image": "C:\\tools\\procdump64.exe",
				"CommandLine": "procdump64.exe -ma w3wp.exe"
			}
		},
		"process": {
			"name": "procdump64.exe",
			"executable": "C:\\tools\\procdump64.exe",
			"command_line": "procdump64.exe -ma w3wp.exe"
		}
	}
}
