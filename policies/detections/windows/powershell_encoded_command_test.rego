package vigil.detections.windows.powershell_encoded_command_test

import data.vigil.detections.windows.powershell_encoded_command as det

# true positive: -enc payload
test_fires_enc_payload if {
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
				"CommandLine": "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"
			}
		},
		"process": {
			"name": "powershell.exe",
			"executable": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
			"command_line": "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"
		}
	}
}

# true negative: plain script
test_quiet_plain_script if {
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
				"CommandLine": "powershell.exe -File C:\\scripts\\inventory.ps1 -Environment production"
			}
		},
		"process": {
			"name": "powershell.exe",
			"executable": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
			"command_line": "powershell.exe -File C:\\scripts\\inventory.ps1 -Environment production"
		}
	}
}
