# Security service stopped or disabled from the command line
package vigil.detections.windows.security_service_stopped

import data.vigil.lib

metadata := {
	"id": "windows-security-service-stopped",
	"title": "Security service stopped or disabled from the command line",
	"description": "sc.exe or net.exe stopping, deleting or disabling a Windows security service (Defender, the firewall, Security Center, Defender for Endpoint, event logging): intruders turn protections off before they act.",
	"severity": "high",
	"confidence": 70,
	"risk_score": 70,
	"tactics": [
		"TA0005",
		"TA0040"
	],
	"techniques": [
		"T1562.001",
		"T1489"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Troubleshooting by administrators; such changes should be on a change record."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1562/001/",
		"https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_sc_stop_service.yml"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"SC.EXE", "SC.exe", "Sc.EXE", "Sc.exe", "sc.EXE", "sc.exe", "NET.EXE", "NET.exe", "Net.EXE", "Net.exe", "net.EXE", "net.exe", "NET1.EXE", "NET1.exe", "Net1.EXE", "Net1.exe", "net1.EXE", "net1.exe"}
	input.event.code in {"1", "4688"}
	regex.match(`\s(stop|delete|config)\s+"?(windefend|mpssvc|wscsvc|sense|wdnissvc|securityhealthservice|eventlog|sysmon64|sysmon)"?(\s|$)`, lib.cmdline)
}
