package vigil.detections.windows.shadow_copy_deletion_test

import data.vigil.detections.windows.shadow_copy_deletion as det

# true positive: vssadmin delete shadows
test_fires_vssadmin_delete_shadows if {
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
				"Image": "C:\\Windows\\System32\\vssadmin.exe",
				"CommandLine": "vssadmin.exe Delete Shadows /All /Quiet"
			}
		},
		"process": {
			"name": "vssadmin.exe",
			"executable": "C:\\Windows\\System32\\vssadmin.exe",
			"command_line": "vssadmin.exe Delete Shadows /All /Quiet"
		}
	}
}

# true positive: wmic shadowcopy delete
test_fires_wmic_shadowcopy_delete if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"action": "created-process",
			"code": "4688"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 4688,
			"channel": "Security",
			"event_data": {
				"Image": "C:\\Windows\\System32\\wbem\\WMIC.exe",
				"CommandLine": "wmic shadowcopy delete /nointeractive"
			}
		},
		"process": {
			"name": "WMIC.exe",
			"executable": "C:\\Windows\\System32\\wbem\\WMIC.exe",
			"command_line": "wmic shadowcopy delete /nointeractive"
		}
	}
}

# true negative: vssadmin list
test_quiet_vssadmin_list if {
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
				"Image": "C:\\Windows\\System32\\vssadmin.exe",
				"CommandLine": "vssadmin list shadows"
			}
		},
		"process": {
			"name": "vssadmin.exe",
			"executable": "C:\\Windows\\System32\\vssadmin.exe",
			"command_line": "vssadmin list shadows"
		}
	}
}
