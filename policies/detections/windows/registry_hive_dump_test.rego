package vigil.detections.windows.registry_hive_dump_test

import data.vigil.detections.windows.registry_hive_dump as det

# true positive: reg save of LSA secrets as SYSTEM
test_fires_reg_save_security if {
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
			"name": "SYSTEM"
		},
		"winlog": {
			"event_id": 1,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"Image": "C:\\Windows\\System32\\reg.exe",
				"CommandLine": "\"reg\" save HKLM\\security\\policy\\secrets C:\\Users\\alice\\AppData\\Local\\Temp\\secrets",
				"ParentImage": "C:\\Windows\\PSEXESVC.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "\"reg\" save HKLM\\security\\policy\\secrets C:\\Users\\alice\\AppData\\Local\\Temp\\secrets",
			"parent": {
				"name": "PSEXESVC.exe",
				"executable": "C:\\Windows\\PSEXESVC.exe"
			}
		}
	}
}

# true positive: reg save of the SAM hive
test_fires_reg_save_sam if {
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
				"CommandLine": "reg save hklm\\sam C:\\temp\\sam.save /y",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "reg save hklm\\sam C:\\temp\\sam.save /y",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: reg save of a software key
test_quiet_reg_save_software if {
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
				"CommandLine": "reg save HKLM\\SOFTWARE\\Contoso C:\\backup\\contoso.hiv",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "reg save HKLM\\SOFTWARE\\Contoso C:\\backup\\contoso.hiv",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: reg query of the system hive
test_quiet_reg_query_system if {
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
				"CommandLine": "reg query HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "reg.exe",
			"executable": "C:\\Windows\\System32\\reg.exe",
			"command_line": "reg query HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}
