package vigil.detections.zeek.dns_bad_domain_test

import data.vigil.detections.zeek.dns_bad_domain as det

# true positive: lookup of a c2 sub-domain
test_fires_lookup_of_a_c2_sub_domain if {
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
				"query": "beacon.c2.badcorp.example",
				"qtype_name": "A"
			}
		},
		"dns": {
			"question": {
				"name": "beacon.c2.badcorp.example",
				"type": "A"
			}
		}
	}
}

# true negative: clean lookup
test_quiet_clean_lookup if {
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
				"query": "badcorp.example.org",
				"qtype_name": "A"
			}
		},
		"dns": {
			"question": {
				"name": "badcorp.example.org",
				"type": "A"
			}
		}
	}
}
