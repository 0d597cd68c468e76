package vigil.detections.zeek.http_bad_domain_test

import data.vigil.detections.zeek.http_bad_domain as det

# true positive: payload download
test_fires_payload_download if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.http",
			"module": "zeek",
			"action": "http"
		},
		"source": {
			"ip": "10.1.2.3"
		},
		"destination": {
			"ip": "198.18.5.5"
		},
		"zeek": {
			"http": {
				"host": "dl.evil-updates.example",
				"user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
				"method": "GET",
				"uri": "/"
			}
		},
		"url": {
			"domain": "dl.evil-updates.example",
			"path": "/",
			"full": "http://dl.evil-updates.example/"
		},
		"user_agent": {
			"original": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
		},
		"http": {
			"method": "GET",
			"status_code": 200
		}
	}
}

# true negative: clean site
test_quiet_clean_site if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.http",
			"module": "zeek",
			"action": "http"
		},
		"source": {
			"ip": "10.1.2.3"
		},
		"destination": {
			"ip": "198.18.5.5"
		},
		"zeek": {
			"http": {
				"host": "www.example.org",
				"user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
				"method": "GET",
				"uri": "/"
			}
		},
		"url": {
			"domain": "www.example.org",
			"path": "/",
			"full": "http://www.example.org/"
		},
		"user_agent": {
			"original": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
		},
		"http": {
			"method": "GET",
			"status_code": 200
		}
	}
}
