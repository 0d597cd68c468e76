package vigil.detections.windows.logon_script_persistence_test

import data.vigil.detections.windows.logon_script_persistence as det

# true positive: Sysmon 13 UserInitMprLogonScript set
test_fires_registry_value if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"action": "registry-value-set",
			"code": "13",
			"category": [
				"registry"
			]
		},
		"host": {
			"name": "ws-17"
		},
		"winlog": {
			"event_id": 13,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"EventType": "SetValue",
				"Image": "C:\\Windows\\System32\\reg.exe",
				"TargetObject": "HKU\\S-1-5-21-3940915590-64593676-1414006259-500\\Environment\\UserInitMprLogonScript",
				"Details": "C:\\Users\\alice\\AppData\\Local\\Temp\\art.bat"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe"
		}
	}
}

# true positive: reg add UserInitMprLogonScript
test_fires_reg_add if {
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
				"CommandLine": "REG.exe  ADD HKCU\\Environment /v UserInitMprLogonScript /t REG_SZ /d C:\\Users\\alice\\AppData\\Local\\Temp\\art.bat /f",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "REG.exe  ADD HKCU\\Environment /v UserInitMprLogonScript /t REG_SZ /d C:\\Users\\alice\\AppData\\Local\\Temp\\art.bat /f",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: another environment variable
test_quiet_other_environment_value if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"action": "registry-value-set",
			"code": "13",
			"category": [
				"registry"
			]
		},
		"host": {
			"name": "ws-17"
		},
		"winlog": {
			"event_id": 13,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"EventType": "SetValue",
				"Image": "C:\\Windows\\System32\\reg.exe",
				"TargetObject": "HKU\\S-1-5-21-3940915590-64593676-1414006259-500\\Environment\\TEMP",
				"Details": "C:\\Users\\alice\\AppData\\Local\\Temp"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe"
		}
	}
}

# true negative: reg query of the environment
test_quiet_reg_query if {
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
				"CommandLine": "reg query HKCU\\Environment",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "reg query HKCU\\Environment",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}
