# Mimikatz command line
package vigil.detections.windows.mimikatz_command_line

import data.vigil.lib

metadata := {
	"id": "windows-mimikatz-command-line",
	"title": "Mimikatz command line",
	"description": "A process command line carries Mimikatz module commands (sekurlsa::, lsadump::, kerberos::golden, ...) or Invoke-Mimikatz.",
	"severity": "critical",
	"confidence": 90,
	"risk_score": 90,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1003.001",
		"T1003.006",
		"T1558.001"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Red-team exercises."
	],
	"references": [
		"https://attack.mitre.org/software/S0002/"
	]
}

markers := ["sekurlsa::", "lsadump::", "kerberos::golden", "kerberos::ptt", "privilege::debug", "invoke-mimikatz", "crypto::capi", "dpapi::", "token::elevate"]

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	some m in markers
	contains(cmd, m)
}
