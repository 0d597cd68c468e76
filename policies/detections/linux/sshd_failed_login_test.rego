package vigil.detections.linux.sshd_failed_login_test

import data.vigil.detections.linux.sshd_failed_login as det

# true positive: failed password
test_fires_failed_password if {
	count(det.finding) == 1 with input as {
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
			"name": "root"
		},
		"source": {
			"ip": "192.0.2.200"
		},
		"system": {
			"auth": {
				"ssh": {
					"event": "Failed",
					"method": "password"
				}
			}
		}
	}
}

# true positive: invalid user
test_fires_invalid_user if {
	count(det.finding) == 1 with input as {
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
			"name": "oracle"
		},
		"source": {
			"ip": "192.0.2.201"
		},
		"system": {
			"auth": {
				"ssh": {
					"event": "Invalid",
					"invalid_user": true
				}
			}
		}
	}
}

# true negative: accepted login
test_quiet_accepted_login if {
	count(det.finding) == 0 with input as {
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
		}
	}
}
