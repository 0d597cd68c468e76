package vigil.detections.zeek.conn_threat_intel_ip_test

import data.vigil.detections.zeek.conn_threat_intel_ip as det

# true positive: connection to a C2 server
test_fires_connection_to_a_c2_server if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.conn",
			"module": "zeek",
			"action": "conn"
		},
		"source": {
			"ip": "10.1.2.3"
		},
		"destination": {
			"ip": "192.0.2.66"
		},
		"zeek": {
			"conn": {
				"conn_state": "SF"
			}
		}
	}
}

# true negative: connection to a clean address
test_quiet_connection_to_a_clean_address if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.conn",
			"module": "zeek",
			"action": "conn"
		},
		"source": {
			"ip": "10.1.2.3"
		},
		"destination": {
			"ip": "93.184.216.34"
		},
		"zeek": {
			"conn": {
				"conn_state": "SF"
			}
		}
	}
}
