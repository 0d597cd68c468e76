package vigil.detections.windows.gpp_password_search_test

import data.vigil.detections.windows.gpp_password_search as det

# true positive: findstr over the domain controller's SYSVOL
test_fires_1 if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"action": "process-created",
			"code": "1",
			"category": [
				"process"
			]
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "alice"
		},
		"winlog": {
			"event_id": 1,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"Image": "C:\\Windows\\System32\\findstr.exe",
				"CommandLine": "findstr  /S cpassword \\\\AR-WIN-DC\\sysvol\\*.xml",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "findstr.exe",
			"executable": "C:\\Windows\\System32\\findstr.exe",
			"command_line": "findstr  /S cpassword \\\\AR-WIN-DC\\sysvol\\*.xml",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: findstr over local config files
test_quiet_2 if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"action": "process-created",
			"code": "1",
			"category": [
				"process"
			]
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "alice"
		},
		"winlog": {
			"event_id": 1,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"Image": "C:\\Windows\\System32\\findstr.exe",
				"CommandLine": "findstr /S password C:\\inetpub\\*.config",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "findstr.exe",
			"executable": "C:\\Windows\\System32\\findstr.exe",
			"command_line": "findstr /S password C:\\inetpub\\*.config",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}
