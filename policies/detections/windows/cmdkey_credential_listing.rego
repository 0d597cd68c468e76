# Stored credentials listed with cmdkey
package vigil.detections.windows.cmdkey_credential_listing

import data.vigil.lib

metadata := {
	"id": "windows-cmdkey-credential-listing",
	"title": "Stored credentials listed with cmdkey",
	"description": "cmdkey /list enumerates the credentials Windows Credential Manager holds for other hosts: reconnaissance for saved RDP and share credentials to reuse for lateral movement.",
	"severity": "medium",
	"confidence": 50,
	"risk_score": 40,
	"tactics": [
		"TA0006",
		"TA0007"
	],
	"techniques": [
		"T1003.005",
		"T1555.004"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Helpdesk staff troubleshooting saved credentials."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1555/004/",
		"https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_cmdkey_recon.yml"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"CMDKEY.EXE", "CMDKEY.exe", "Cmdkey.EXE", "Cmdkey.exe", "cmdkey.EXE", "cmdkey.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	regex.match(`\s[-/–]l(ist)?(\s|:|$)`, cmd)
}
