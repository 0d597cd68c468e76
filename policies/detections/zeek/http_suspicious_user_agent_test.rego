package vigil.detections.zeek.http_suspicious_user_agent_test

import data.vigil.detections.zeek.http_suspicious_user_agent as det

# true positive: python requests
test_fires_python_requests if {
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
				"host": "files.example.net",
				"user_agent": "python-requests/2.31.0",
				"method": "GET",
				"uri": "/"
			}
		},
		"url": {
			"domain": "files.example.net",
			"path": "/",
			"full": "http://files.example.net/"
		},
		"user_agent": {
			"original": "python-requests/2.31.0"
		},
		"http": {
			"method": "GET",
			"status_code": 200
		}
	}
}

# true negative: browser
test_quiet_browser if {
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
				"host": "files.example.net",
				"user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
				"method": "GET",
				"uri": "/"
			}
		},
		"url": {
			"domain": "files.example.net",
			"path": "/",
			"full": "http://files.example.net/"
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
