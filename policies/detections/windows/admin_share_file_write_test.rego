package vigil.detections.windows.admin_share_file_write_test

import data.vigil.detections.windows.admin_share_file_write as det

# true positive: WriteData on C$ from a user account
test_fires_c_share_write if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"action": "detailed-file-share",
			"code": "5145",
			"category": [
				"network",
				"file"
			]
		},
		"host": {
			"name": "ws-06.corp.example"
		},
		"user": {
			"name": "pgustavo"
		},
		"source": {
			"ip": "172.18.39.5"
		},
		"winlog": {
			"event_id": 5145,
			"channel": "Security",
			"event_data": {
				"ShareName": "\\\\*\\C$",
				"RelativeTargetName": "ProgramData\\GruntHTTP.exe",
				"AccessMask": "0x2",
				"AccessList": "%%4417\r\n\t\t\t\t",
				"SubjectUserName": "pgustavo",
				"IpAddress": "172.18.39.5"
			}
		}
	}
}

# true negative: read of a folder on C$
test_quiet_folder_read if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"action": "detailed-file-share",
			"code": "5145",
			"category": [
				"network",
				"file"
			]
		},
		"host": {
			"name": "ws-06.corp.example"
		},
		"user": {
			"name": "pgustavo"
		},
		"source": {
			"ip": "172.18.39.5"
		},
		"winlog": {
			"event_id": 5145,
			"channel": "Security",
			"event_data": {
				"ShareName": "\\\\*\\C$",
				"RelativeTargetName": "ProgramData",
				"AccessMask": "0x80",
				"AccessList": "%%4423\r\n\t\t\t\t",
				"SubjectUserName": "pgustavo",
				"IpAddress": "172.18.39.5"
			}
		}
	}
}

# true negative: machine account writing to ADMIN$
test_quiet_machine_account if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"action": "detailed-file-share",
			"code": "5145",
			"category": [
				"network",
				"file"
			]
		},
		"host": {
			"name": "ws-06.corp.example"
		},
		"user": {
			"name": "WS-17$"
		},
		"source": {
			"ip": "172.18.39.5"
		},
		"winlog": {
			"event_id": 5145,
			"channel": "Security",
			"event_data": {
				"ShareName": "\\\\*\\ADMIN$",
				"RelativeTargetName": "Temp\\x.tmp",
				"AccessMask": "0x2",
				"AccessList": "%%4417",
				"SubjectUserName": "WS-17$",
				"IpAddress": "172.18.39.5"
			}
		}
	}
}

# true negative: write to a normal share
test_quiet_normal_share if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"action": "detailed-file-share",
			"code": "5145",
			"category": [
				"network",
				"file"
			]
		},
		"host": {
			"name": "ws-06.corp.example"
		},
		"user": {
			"name": "pgustavo"
		},
		"source": {
			"ip": "172.18.39.5"
		},
		"winlog": {
			"event_id": 5145,
			"channel": "Security",
			"event_data": {
				"ShareName": "\\\\*\\Projects",
				"RelativeTargetName": "plan.docx",
				"AccessMask": "0x2",
				"AccessList": "%%4417",
				"SubjectUserName": "pgustavo",
				"IpAddress": "172.18.39.5"
			}
		}
	}
}
