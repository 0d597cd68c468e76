package vigil.detections.linux.sshd_login_accepted_test

import data.vigil.detections.linux.sshd_login_accepted as det

# true positive: publickey login
test_fires_publickey_login if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "system.auth",
			"module": "system",
			"action": "ssh_login",
			"outcome": "success"
		},
		"host": {
			"name": "web-01"
		},
		"user": {
			"name": "frank"
		},
		"source": {
			"ip": "10.0.0.5"
		},
		"system": {
			"auth": {
				"ssh": {
					"event": "Accepted",
					"method": "publickey"
				}
			}
		}
	}
}

# true negative: failed login
test_quiet_failed_login if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "system.auth",
			"module": "system",
			"action": "ssh_login_failed",
			"outcome": "failure"
		},
		"host": {
			"name": "web-01"
		},
		"user": {
			"name": "frank"
		},
		"source": {
			"ip": "10.0.0.5"
		}
	}
}
