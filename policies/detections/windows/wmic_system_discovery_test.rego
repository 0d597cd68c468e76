package vigil.detections.windows.wmic_system_discovery_test

import data.vigil.detections.windows.wmic_system_discovery as det

# true positive: wmic qfe get
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
				"Image": "C:\\Windows\\System32\\wbem\\WMIC.exe",
				"CommandLine": "wmic  qfe get description,installedOn /format:csv",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "WMIC.exe",
			"executable": "C:\\Windows\\System32\\wbem\\WMIC.exe",
			"command_line": "wmic  qfe get description,installedOn /format:csv",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true positive: wmic asking Security Center for the antivirus product
test_fires_2 if {
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
				"Image": "C:\\Windows\\System32\\wbem\\WMIC.exe",
				"CommandLine": "wmic /Namespace:\\\\root\\SecurityCenter2 Path AntiVirusProduct Get displayName /Format:List",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "WMIC.exe",
			"executable": "C:\\Windows\\System32\\wbem\\WMIC.exe",
			"command_line": "wmic /Namespace:\\\\root\\SecurityCenter2 Path AntiVirusProduct Get displayName /Format:List",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true positive: wmic service list
test_fires_3 if {
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
				"Image": "C:\\Windows\\System32\\wbem\\WMIC.exe",
				"CommandLine": "wmic service get name,displayname,pathname,startmode",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "WMIC.exe",
			"executable": "C:\\Windows\\System32\\wbem\\WMIC.exe",
			"command_line": "wmic service get name,displayname,pathname,startmode",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: wmic process call create
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
				"Image": "C:\\Windows\\System32\\wbem\\WMIC.exe",
				"CommandLine": "wmic process call create \"notepad.exe\"",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "WMIC.exe",
			"executable": "C:\\Windows\\System32\\wbem\\WMIC.exe",
			"command_line": "wmic process call create \"notepad.exe\"",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}
