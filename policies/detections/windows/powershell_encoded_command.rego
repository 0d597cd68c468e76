# PowerShell with an encoded command
package vigil.detections.windows.powershell_encoded_command

import data.vigil.lib

metadata := {
	"id": "windows-powershell-encoded-command",
	"title": "PowerShell with an encoded command",
	"description": "PowerShell started with -EncodedCommand (or an abbreviation) and a base64 payload, a common way to hide malicious scripts.",
	"severity": "medium",
	"confidence": 60,
	"risk_score": 60,
	"tactics": [
		"TA0002",
		"TA0005"
	],
	"techniques": [
		"T1059.001",
		"T1027"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Management tools (SCCM, some RMM agents) that pass scripts encoded."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1059/001/"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"powershell.exe", "POWERSHELL.EXE", "Powershell.exe", "POWERSHELL.exe", "pwsh.exe", "PWSH.EXE", "Pwsh.exe", "PWSH.exe"}
	input.event.code in {"1", "4688"}
	regex.match(`\s[-/]e(c|n|nc|nco|ncod|ncode|ncoded|ncodedc|ncodedco|ncodedcom|ncodedcomm|ncodedcomma|ncodedcomman|ncodedcommand)?\s+[a-z0-9+/=]{20,}`, lib.cmdline)
}
