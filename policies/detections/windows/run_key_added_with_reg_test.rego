package vigil.detections.windows.run_key_added_with_reg_test

import data.vigil.detections.windows.run_key_added_with_reg as det

# true positive: reg add to the user's Run key, program in AppData
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
				"Image": "C:\\Windows\\System32\\reg.exe",
				"CommandLine": "REG   ADD \"HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\" /V \"softoz\" /t REG_SZ /F /D \"C:\\Users\\alice\\AppData\\Roaming\\sihostt.exe\"",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "REG   ADD \"HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\" /V \"softoz\" /t REG_SZ /F /D \"C:\\Users\\alice\\AppData\\Roaming\\sihostt.exe\"",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true positive: reg add to the RunOnce key, 4688
test_fires_2 if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"action": "process-created",
			"code": "4688",
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
			"event_id": 4688,
			"channel": "Security",
			"event_data": {
				"Image": "C:\\Windows\\System32\\reg.exe",
				"CommandLine": "reg.exe add HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce /v upd /d \"C:\\ProgramData\\upd.exe\" /f",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "reg.exe add HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce /v upd /d \"C:\\ProgramData\\upd.exe\" /f",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: reg query of the Run key
test_quiet_3 if {
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
				"Image": "C:\\Windows\\System32\\reg.exe",
				"CommandLine": "reg query \"HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\"",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "reg query \"HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\"",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: reg add elsewhere
test_quiet_4 if {
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
				"Image": "C:\\Windows\\System32\\reg.exe",
				"CommandLine": "reg add \"HKCU\\Control Panel\\Desktop\" /v WallPaper /d C:\\wall.jpg /f",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "reg add \"HKCU\\Control Panel\\Desktop\" /v WallPaper /d C:\\wall.jpg /f",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true positive: reg.exe called by its quoted full path
test_fires_full_path if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {"dataset": "windows.sysmon", "module": "windows", "action": "process-created", "code": "1", "category": ["process"]},
		"host": {"name": "ws-17"},
		"user": {"name": "alice"},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "\"C:\\WINDOWS\\system32\\reg.exe\" add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v upd /d C:\\Users\\alice\\AppData\\Local\\Temp\\upd.exe /f"
		}
	}
}
