package vigil.detections.windows.cmdkey_credential_listing_test

import data.vigil.detections.windows.cmdkey_credential_listing as det

# true positive: cmdkey /list
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
				"Image": "C:\\Windows\\System32\\cmdkey.exe",
				"CommandLine": "cmdkey  /list",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "cmdkey.exe",
			"executable": "C:\\Windows\\System32\\cmdkey.exe",
			"command_line": "cmdkey  /list",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true positive: cmdkey -l
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
				"Image": "C:\\Windows\\System32\\cmdkey.exe",
				"CommandLine": "cmdkey.exe -l",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "cmdkey.exe",
			"executable": "C:\\Windows\\System32\\cmdkey.exe",
			"command_line": "cmdkey.exe -l",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}

# true negative: cmdkey adding a credential
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
				"Image": "C:\\Windows\\System32\\cmdkey.exe",
				"CommandLine": "cmdkey /add:fileserver /user:alice /pass",
				"ParentImage": "C:\\Windows\\System32\\cmd.exe"
			}
		},
		"process": {
			"name": "cmdkey.exe",
			"executable": "C:\\Windows\\System32\\cmdkey.exe",
			"command_line": "cmdkey /add:fileserver /user:alice /pass",
			"parent": {
				"name": "cmd.exe",
				"executable": "C:\\Windows\\System32\\cmd.exe"
			}
		}
	}
}
