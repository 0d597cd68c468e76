package vigil.detections.linux.sudoers_modified_test

import data.vigil.detections.linux.sudoers_modified as det

# true positive: visudo
test_fires_visudo if {
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
			"command_line": "/usr/sbin/visudo",
			"executable": "/usr/sbin/visudo",
			"args": [
				"/usr/sbin/visudo"
			]
		}
	}
}

# true positive: tee into sudoers.d
test_fires_tee_into_sudoers_d if {
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
			"command_line": "/usr/bin/tee -a /etc/sudoers.d/frank",
			"executable": "/usr/bin/tee",
			"args": [
				"/usr/bin/tee",
				"-a",
				"/etc/sudoers.d/frank"
			]
		}
	}
}

# true negative: cat sudoers
test_quiet_cat_sudoers if {
	count(det.finding) == 0 with input as {
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
			"command_line": "/bin/cat /etc/sudoers",
			"executable": "/bin/cat",
			"args": [
				"/bin/cat",
				"/etc/sudoers"
			]
		}
	}
}

# true negative: visudo check
test_quiet_visudo_check if {
	count(det.finding) == 0 with input as {
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
			"command_line": "/usr/sbin/visudo -c",
			"executable": "/usr/sbin/visudo",
			"args": [
				"/usr/sbin/visudo",
				"-c"
			]
		}
	}
}
