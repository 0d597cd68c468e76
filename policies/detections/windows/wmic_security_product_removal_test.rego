package vigil.detections.windows.wmic_security_product_removal_test

import data.vigil.detections.windows.wmic_security_product_removal as det

# true positive: wmic product uninstall of AVG
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
				"CommandLine": "\"C:\\WINDOWS\\System32\\Wbem\\WMIC.exe\" product where \"name like '%%AVG %%'\" call uninstall /nointeractive",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "WMIC.exe",
			"executable": "C:\\Windows\\System32\\wbem\\WMIC.exe",
			"command_line": "\"C:\\WINDOWS\\System32\\Wbem\\WMIC.exe\" product where \"name like '%%AVG %%'\" call uninstall /nointeractive",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true positive: wmic terminating the Sophos service process
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
				"CommandLine": "wmic process where \"caption like '%Sophos%'\" call terminate",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "WMIC.exe",
			"executable": "C:\\Windows\\System32\\wbem\\WMIC.exe",
			"command_line": "wmic process where \"caption like '%Sophos%'\" call terminate",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: wmic uninstall of another product
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
				"Image": "C:\\Windows\\System32\\wbem\\WMIC.exe",
				"CommandLine": "wmic product where \"name like '%Java 8%'\" call uninstall /nointeractive",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "WMIC.exe",
			"executable": "C:\\Windows\\System32\\wbem\\WMIC.exe",
			"command_line": "wmic product where \"name like '%Java 8%'\" call uninstall /nointeractive",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: wmic listing security products
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
				"CommandLine": "wmic /namespace:\\\\root\\SecurityCenter2 path AntiVirusProduct get displayName",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "WMIC.exe",
			"executable": "C:\\Windows\\System32\\wbem\\WMIC.exe",
			"command_line": "wmic /namespace:\\\\root\\SecurityCenter2 path AntiVirusProduct get displayName",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}
