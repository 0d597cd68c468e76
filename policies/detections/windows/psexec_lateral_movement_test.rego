package vigil.detections.windows.psexec_lateral_movement_test

import data.vigil.detections.windows.psexec_lateral_movement as det

# true positive: PSEXESVC service
test_fires_psexesvc_service if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.system",
			"module": "windows",
			"code": "7045"
		},
		"host": {
			"name": "srv-02"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 7045,
			"channel": "System",
			"event_data": {
				"ServiceName": "PSEXESVC",
				"ImagePath": "%SystemRoot%\\PSEXESVC.exe"
			}
		}
	}
}

# true positive: PSEXESVC pipe
test_fires_psexesvc_pipe if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.sysmon",
			"module": "windows",
			"code": "17"
		},
		"host": {
			"name": "srv-02"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 17,
			"channel": "Microsoft-Windows-Sysmon/Operational",
			"event_data": {
				"PipeName": "\\PSEXESVC-WS17-4242-stdin"
			}
		}
	}
}

# true positive: binary dropped on ADMIN$
test_fires_binary_dropped_on_admin if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "5145"
		},
		"host": {
			"name": "srv-02"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 5145,
			"channel": "Security",
			"event_data": {
				"ShareName": "\\\\*\\ADMIN$",
				"RelativeTargetName": "PSEXESVC.exe"
			}
		},
		"source": {
			"ip": "10.0.0.17"
		}
	}
}

# true negative: other service
test_quiet_other_service if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.system",
			"module": "windows",
			"code": "7045"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 7045,
			"channel": "System",
			"event_data": {
				"ServiceName": "Spooler",
				"ImagePath": "C:\\Windows\\System32\\spoolsv.exe"
			}
		}
	}
}

# true negative: ADMIN$ access to another file
test_quiet_admin_access_to_another_file if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "5145"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 5145,
			"channel": "Security",
			"event_data": {
				"ShareName": "\\\\*\\ADMIN$",
				"RelativeTargetName": "Temp\\report.txt"
			}
		}
	}
}
