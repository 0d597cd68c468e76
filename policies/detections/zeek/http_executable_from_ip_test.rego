package vigil.detections.zeek.http_executable_from_ip_test

import data.vigil.detections.zeek.http_executable_from_ip as det

# true positive: PE served by an IP-addressed host
test_fires_exe_from_ip if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.http",
			"module": "zeek",
			"action": "http",
			"category": [
				"network",
				"web"
			]
		},
		"source": {
			"ip": "10.0.1.5",
			"port": 60997
		},
		"destination": {
			"ip": "192.168.0.4",
			"port": 8080
		},
		"url": {
			"domain": "192.168.0.4",
			"path": "/m"
		},
		"http": {
			"request": {
				"method": "GET"
			},
			"response": {
				"status_code": 200
			}
		},
		"zeek": {
			"http": {
				"host": "192.168.0.4",
				"uri": "/m",
				"method": "GET",
				"status_code": 200,
				"resp_mime_types": [
					"application/x-dosexec"
				]
			}
		}
	}
}

# true negative: PE from a named update server
test_quiet_named_host if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.http",
			"module": "zeek",
			"action": "http",
			"category": [
				"network",
				"web"
			]
		},
		"source": {
			"ip": "10.0.1.5",
			"port": 60997
		},
		"destination": {
			"ip": "192.168.0.4",
			"port": 8080
		},
		"url": {
			"domain": "download.windowsupdate.com",
			"path": "/m"
		},
		"http": {
			"request": {
				"method": "GET"
			},
			"response": {
				"status_code": 200
			}
		},
		"zeek": {
			"http": {
				"host": "download.windowsupdate.com",
				"uri": "/m",
				"method": "GET",
				"status_code": 200,
				"resp_mime_types": [
					"application/x-dosexec"
				]
			}
		}
	}
}

# true negative: HTML from an IP-addressed host
test_quiet_html_from_ip if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "zeek.http",
			"module": "zeek",
			"action": "http",
			"category": [
				"network",
				"web"
			]
		},
		"source": {
			"ip": "10.0.1.5",
			"port": 60997
		},
		"destination": {
			"ip": "192.168.0.4",
			"port": 8080
		},
		"url": {
			"domain": "192.168.0.4",
			"path": "/m"
		},
		"http": {
			"request": {
				"method": "GET"
			},
			"response": {
				"status_code": 200
			}
		},
		"zeek": {
			"http": {
				"host": "192.168.0.4",
				"uri": "/m",
				"method": "GET",
				"status_code": 200,
				"resp_mime_types": [
					"text/html"
				]
			}
		}
	}
}
