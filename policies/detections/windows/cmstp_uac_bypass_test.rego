package vigil.detections.windows.cmstp_uac_bypass_test

import data.vigil.detections.windows.cmstp_uac_bypass as det

# true positive: cmstp installs an INF silently
test_fires_cmstp_silent_inf if {
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
				"Image": "C:\\Windows\\System32\\cmstp.exe",
				"CommandLine": "\"C:\\windows\\system32\\cmstp.exe\" /s C:\\ProgramData\\T1218.003_uacbypass.inf /au",
				"ParentImage": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
			}
		},
		"process": {
			"name": "cmstp.exe",
			"executable": "C:\\Windows\\System32\\cmstp.exe",
			"command_line": "\"C:\\windows\\system32\\cmstp.exe\" /s C:\\ProgramData\\T1218.003_uacbypass.inf /au",
			"parent": {
				"name": "powershell.exe",
				"executable": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
			}
		}
	}
}

# true positive: child of the CMSTPLUA COM elevation host
test_fires_cmstplua_child if {
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
				"Image": "C:\\Windows\\System32\\cmd.exe",
				"CommandLine": "c:\\windows\\system32\\cmd.exe",
				"ParentImage": "C:\\Windows\\System32\\dllhost.exe",
				"ParentCommandLine": "C:\\windows\\system32\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}"
			}
		},
		"process": {
			"name": "cmd.exe",
			"executable": "C:\\Windows\\System32\\cmd.exe",
			"command_line": "c:\\windows\\system32\\cmd.exe",
			"parent": {
				"name": "dllhost.exe",
				"executable": "C:\\Windows\\System32\\dllhost.exe",
				"command_line": "C:\\windows\\system32\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}"
			}
		}
	}
}

# true negative: cmstp opening a profile interactively
test_quiet_cmstp_interactive if {
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
				"Image": "C:\\Windows\\System32\\cmstp.exe",
				"CommandLine": "cmstp.exe C:\\Users\\alice\\Downloads\\vpn.cmp",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "cmstp.exe",
			"executable": "C:\\Windows\\System32\\cmstp.exe",
			"command_line": "cmstp.exe C:\\Users\\alice\\Downloads\\vpn.cmp",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: child of an ordinary COM surrogate
test_quiet_other_dllhost_child if {
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
				"Image": "C:\\Windows\\System32\\werfault.exe",
				"CommandLine": "werfault.exe -u -p 123",
				"ParentImage": "C:\\Windows\\System32\\dllhost.exe",
				"ParentCommandLine": "C:\\windows\\system32\\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}"
			}
		},
		"process": {
			"name": "werfault.exe",
			"executable": "C:\\Windows\\System32\\werfault.exe",
			"command_line": "werfault.exe -u -p 123",
			"parent": {
				"name": "dllhost.exe",
				"executable": "C:\\Windows\\System32\\dllhost.exe",
				"command_line": "C:\\windows\\system32\\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}"
			}
		}
	}
}
