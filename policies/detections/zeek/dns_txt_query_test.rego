package vigil.detections.zeek.dns_txt_query_test

import data.vigil.detections.zeek.dns_txt_query as det

# true positive: TXT query
test_fires_txt_query if {
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
				"query": "x1.c2.badcorp.example",
				"qtype_name": "TXT"
			}
		},
		"dns": {
			"question": {
				"name": "x1.c2.badcorp.example",
				"type": "TXT"
			}
		}
	}
}

# true negative: A query
test_quiet_a_query if {
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
