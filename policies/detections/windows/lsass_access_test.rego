package vigil.detections.windows.lsass_access_test

import data.vigil.detections.windows.lsass_access as det

# true positive: mimikatz reads lsass
test_fires_mimikatz_reads_lsass if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"code": "10"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 10,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"SourceImage": "C:\\Users\\eve\\Downloads\\m.exe",
				"TargetImage": "C:\\Windows\\system32\\lsass.exe",
				"GrantedAccess": "0x1010"
			}
		}
	}
}

# true negative: defender scans lsass
test_quiet_defender_scans_lsass if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"code": "10"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 10,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"SourceImage": "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18\\MsMpEng.exe",
				"TargetImage": "C:\\Windows\\system32\\lsass.exe",
				"GrantedAccess": "0x1010"
			}
		}
	}
}

# true negative: query-limited access
test_quiet_query_limited_access if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"code": "10"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 10,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"SourceImage": "C:\\tools\\x.exe",
				"TargetImage": "C:\\Windows\\system32\\lsass.exe",
				"GrantedAccess": "0x1000"
			}
		}
	}
}
