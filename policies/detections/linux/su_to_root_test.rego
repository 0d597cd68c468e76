package vigil.detections.linux.su_to_root_test

import data.vigil.detections.linux.su_to_root as det

# true positive: su root
test_fires_su_root if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "system.auth",
			"module": "system",
			"action": "su",
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
		}
	}
}

# true negative: su to a service account
test_quiet_su_to_a_service_account if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "system.auth",
			"module": "system",
			"action": "su",
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
		}
	}
}

# true negative: failed su
test_quiet_failed_su if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "system.auth",
			"module": "system",
			"action": "su",
			"outcome": "failure"
		},
		"host": {
			"name": "web-01"
		},
		"user": {
			"name": "frank",
			"target": {
				"name": "root"
			}
		}
	}
}
