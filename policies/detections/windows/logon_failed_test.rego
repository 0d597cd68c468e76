package vigil.detections.windows.logon_failed_test

import data.vigil.detections.windows.logon_failed as det

# true positive: bad password over the network
test_fires_bad_password_over_the_network if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "4625"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "administrator"
		},
		"winlog": {
			"event_id": 4625,
			"channel": "Security",
			"event_data": {
				"TargetUserName": "administrator",
				"LogonType": "3",
				"Status": "0xc000006d",
				"SubStatus": "0xc000006a",
				"IpAddress": "192.0.2.200"
			}
		},
		"source": {
			"ip": "192.0.2.200"
		}
	}
}

# true negative: successful logon
test_quiet_successful_logon if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "4624"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "administrator"
		},
		"winlog": {
			"event_id": 4624,
			"channel": "Security",
			"event_data": {
				"LogonType": "3"
			}
		}
	}
}
