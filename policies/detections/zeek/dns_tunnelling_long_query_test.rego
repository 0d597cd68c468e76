package vigil.detections.zeek.dns_tunnelling_long_query_test

import data.vigil.detections.zeek.dns_tunnelling_long_query as det

# true positive: hex-encoded labels
test_fires_hex_encoded_labels if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.dns",
			"module": "zeek",
			"action": "dns"
		},
		"source": {
			"ip": "10.1.2.3"
		},
		"destination": {
			"ip": "10.0.0.53"
		},
		"zeek": {
			"dns": {
				"query": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0aa11.bb22cc33dd44ee55ff66aa77bb88cc99dd00eeff.t.tunnel-example.net",
				"qtype_name": "TXT"
			}
		},
		"dns": {
			"question": {
				"name": "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0aa11.bb22cc33dd44ee55ff66aa77bb88cc99dd00eeff.t.tunnel-example.net",
				"type": "TXT"
			}
		}
	}
}

# true negative: ordinary lookup
test_quiet_ordinary_lookup if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.dns",
			"module": "zeek",
			"action": "dns"
		},
		"source": {
			"ip": "10.1.2.3"
		},
		"destination": {
			"ip": "10.0.0.53"
		},
		"zeek": {
			"dns": {
				"query": "www.example.org",
				"qtype_name": "A"
			}
		},
		"dns": {
			"question": {
				"name": "www.example.org",
				"type": "A"
			}
		}
	}
}
