package vigil.detections.zeek.ssl_bad_sni_test

import data.vigil.detections.zeek.ssl_bad_sni as det

# true positive: SNI of a phishing kit
test_fires_sni_of_a_phishing_kit if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.ssl",
			"module": "zeek",
			"action": "ssl"
		},
		"source": {
			"ip": "10.1.2.3"
		},
		"destination": {
			"ip": "198.18.9.9"
		},
		"zeek": {
			"ssl": {
				"server_name": "login-micr0soft.example"
			}
		},
		"tls": {
			"server_name": "login-micr0soft.example",
			"version": "1.3"
		}
	}
}

# true negative: clean SNI
test_quiet_clean_sni if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.ssl",
			"module": "zeek",
			"action": "ssl"
		},
		"source": {
			"ip": "10.1.2.3"
		},
		"destination": {
			"ip": "198.18.9.9"
		},
		"zeek": {
			"ssl": {
				"server_name": "www.example.org"
			}
		},
		"tls": {
			"server_name": "www.example.org"
		}
	}
}
