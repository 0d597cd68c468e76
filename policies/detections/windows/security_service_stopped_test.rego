package vigil.detections.windows.security_service_stopped_test

import data.vigil.detections.windows.security_service_stopped as det

# true positive: sc stop of the firewall
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
				"Image": "C:\\Windows\\System32\\sc.exe",
				"CommandLine": "sc  stop mpssvc",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "sc.exe",
			"executable": "C:\\Windows\\System32\\sc.exe",
			"command_line": "sc  stop mpssvc",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true positive: net stop of Defender
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
				"Image": "C:\\Windows\\System32\\net.exe",
				"CommandLine": "net stop WinDefend /y",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "net.exe",
			"executable": "C:\\Windows\\System32\\net.exe",
			"command_line": "net stop WinDefend /y",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: sc stop of the print spooler
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
				"Image": "C:\\Windows\\System32\\sc.exe",
				"CommandLine": "sc stop spooler",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "sc.exe",
			"executable": "C:\\Windows\\System32\\sc.exe",
			"command_line": "sc stop spooler",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: sc query of Defender
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
				"Image": "C:\\Windows\\System32\\sc.exe",
				"CommandLine": "sc query windefend",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "sc.exe",
			"executable": "C:\\Windows\\System32\\sc.exe",
			"command_line": "sc query windefend",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}
