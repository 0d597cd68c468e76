package vigil.detections.linux.sudo_root_shell_test

import data.vigil.detections.linux.sudo_root_shell as det

# true positive: sudo -i
test_fires_sudo_i if {
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
			"command_line": "/bin/bash",
			"executable": "/bin/bash",
			"args": [
				"/bin/bash"
			]
		}
	}
}

# true positive: sudo su -
test_fires_sudo_su if {
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
			"command_line": "/usr/bin/su -",
			"executable": "/usr/bin/su",
			"args": [
				"/usr/bin/su",
				"-"
			]
		}
	}
}

# true negative: sudo systemctl
test_quiet_sudo_systemctl if {
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
			"command_line": "/usr/bin/systemctl restart nginx",
			"executable": "/usr/bin/systemctl",
			"args": [
				"/usr/bin/systemctl",
				"restart",
				"nginx"
			]
		}
	}
}

# true negative: shell as another user
test_quiet_shell_as_another_user if {
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
				"name": "postgres"
			}
		},
		"process": {
			"name": "sudo",
			"command_line": "/bin/bash",
			"executable": "/bin/bash",
			"args": [
				"/bin/bash"
			]
		}
	}
}
