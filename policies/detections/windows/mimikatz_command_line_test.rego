package vigil.detections.windows.mimikatz_command_line_test

import data.vigil.detections.windows.mimikatz_command_line as det

# true positive: renamed binary with sekurlsa
test_fires_renamed_binary_with_sekurlsa if {
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
				"Image": "C:\\Users\\Public\\svc.exe",
				"CommandLine": "svc.exe \"privilege::debug\" \"sekurlsa::logonpasswords\" exit"
			}
		},
		"process": {
			"name": "svc.exe",
			"executable": "C:\\Users\\Public\\svc.exe",
			"command_line": "svc.exe \"privilege::debug\" \"sekurlsa::logonpasswords\" exit"
		}
	}
}

# true negative: ordinary command
test_quiet_ordinary_command if {
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
				"Image": "C:\\Windows\\System32\\cmd.exe",
				"CommandLine": "cmd.exe /c dir C:\\"
			}
		},
		"process": {
			"name": "cmd.exe",
			"executable": "C:\\Windows\\System32\\cmd.exe",
			"command_line": "cmd.exe /c dir C:\\"
		}
	}
}
