package vigil.detections.zeek.ssl_self_signed_no_sni_test

import data.vigil.detections.zeek.ssl_self_signed_no_sni as det

# true positive: self-signed certificate, no SNI
test_fires_self_signed_no_sni if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.ssl",
			"module": "zeek",
			"action": "ssl",
			"category": [
				"network"
			]
		},
		"source": {
			"ip": "10.0.1.5",
			"port": 60839
		},
		"destination": {
			"ip": "192.168.0.4",
			"port": 443
		},
		"tls": {
			"version": "1.2",
			"ja3": "c12f54a3f91dc7bafd92cb59fe009a35"
		},
		"zeek": {
			"ssl": {
				"established": true,
				"subject": "CN=P18055077,OU=Jethpro",
				"issuer": "CN=P18055077,OU=Jethpro",
				"validation_status": "self signed certificate"
			}
		}
	}
}

# true negative: self-signed certificate with an SNI
test_quiet_self_signed_with_sni if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.ssl",
			"module": "zeek",
			"action": "ssl",
			"category": [
				"network"
			]
		},
		"source": {
			"ip": "10.0.1.5",
			"port": 60839
		},
		"destination": {
			"ip": "192.168.0.4",
			"port": 443
		},
		"tls": {
			"version": "1.2",
			"ja3": "c12f54a3f91dc7bafd92cb59fe009a35",
			"server_name": "printer.corp.example"
		},
		"zeek": {
			"ssl": {
				"established": true,
				"subject": "CN=P18055077,OU=Jethpro",
				"issuer": "CN=P18055077,OU=Jethpro",
				"validation_status": "self signed certificate",
				"server_name": "printer.corp.example"
			}
		}
	}
}

# true negative: valid certificate
test_quiet_valid_certificate if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.ssl",
			"module": "zeek",
			"action": "ssl",
			"category": [
				"network"
			]
		},
		"source": {
			"ip": "10.0.1.5",
			"port": 60839
		},
		"destination": {
			"ip": "192.168.0.4",
			"port": 443
		},
		"tls": {
			"version": "1.2",
			"ja3": "c12f54a3f91dc7bafd92cb59fe009a35"
		},
		"zeek": {
			"ssl": {
				"established": true,
				"subject": "CN=P18055077,OU=Jethpro",
				"issuer": "CN=P18055077,OU=Jethpro",
				"validation_status": "ok"
			}
		}
	}
}
