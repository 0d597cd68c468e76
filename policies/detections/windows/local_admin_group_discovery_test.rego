package vigil.detections.windows.local_admin_group_discovery_test

import data.vigil.detections.windows.local_admin_group_discovery as det

# true positive: net localgroup administrators
test_fires_net_localgroup_administrators if {
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
				"Image": "C:\\Windows\\System32\\net.exe",
				"CommandLine": "\"C:\\windows\\system32\\net.exe\" localgroup Administrators",
				"ParentImage": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
			}
		},
		"process": {
			"name": "net.exe",
			"executable": "C:\\Windows\\System32\\net.exe",
			"command_line": "\"C:\\windows\\system32\\net.exe\" localgroup Administrators",
			"parent": {
				"name": "powershell.exe",
				"executable": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
			}
		}
	}
}

# true positive: net1 spawned by net
test_fires_net1 if {
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
				"Image": "C:\\Windows\\System32\\net1.exe",
				"CommandLine": "C:\\windows\\system32\\net1 localgroup Administrators",
				"ParentImage": "C:\\Windows\\System32\\net.exe"
			}
		},
		"process": {
			"name": "net1.exe",
			"executable": "C:\\Windows\\System32\\net1.exe",
			"command_line": "C:\\windows\\system32\\net1 localgroup Administrators",
			"parent": {
				"name": "net.exe",
				"executable": "C:\\Windows\\System32\\net.exe"
			}
		}
	}
}

# true negative: net localgroup administrators /add changes membership
test_quiet_add_member if {
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
				"Image": "C:\\Windows\\System32\\net.exe",
				"CommandLine": "net localgroup administrators bob /add",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "net.exe",
			"executable": "C:\\Windows\\System32\\net.exe",
			"command_line": "net localgroup administrators bob /add",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: net use
test_quiet_net_use if {
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
				"Image": "C:\\Windows\\System32\\net.exe",
				"CommandLine": "net use Z: \\\\fs01\\share",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "net.exe",
			"executable": "C:\\Windows\\System32\\net.exe",
			"command_line": "net use Z: \\\\fs01\\share",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}
