package vigil.detections.linux.user_created_test

import data.vigil.detections.linux.user_created as det

# true positive: useradd logged
test_fires_useradd_logged if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "system.auth",
			"module": "system",
			"action": "user_created",
			"outcome": "success"
		},
		"host": {
			"name": "web-01"
		},
		"user": {
			"name": "",
			"target": {
				"name": "backdoor"
			}
		}
	}
}

# true positive: sudo useradd
test_fires_sudo_useradd if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "system.auth",
			"module": "system",
			"action": "sudo",
			"outcome": "success"
		},
		"host": {
			"name": "web-01"
		},
		"user": {
			"name": "frank",
			"target": {
				"name": "root"
			}
		},
		"process": {
			"name": "sudo",
			"command_line": "/usr/sbin/useradd -m -s /bin/bash backdoor",
			"executable": "/usr/sbin/useradd",
			"args": [
				"/usr/sbin/useradd",
				"-m",
				"-s",
				"/bin/bash",
				"backdoor"
			]
		}
	}
}

# true negative: password changed
test_quiet_password_changed if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "system.auth",
			"module": "system",
			"action": "password_changed",
			"outcome": "success"
		},
		"host": {
			"name": "web-01"
		},
		"user": {
			"name": "frank",
			"target": {
				"name": "frank"
			}
		}
	}
}
