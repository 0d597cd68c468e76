# LSASS dumped with procdump or comsvcs MiniDump
package vigil.detections.windows.lsass_minidump

import data.vigil.lib

metadata := {
	"id": "windows-lsass-minidump",
	"title": "LSASS dumped with procdump or comsvcs MiniDump",
	"description": "A command line dumps LSASS memory with Sysinternals procdump (-ma lsass) or rundll32 comsvcs.dll MiniDump.",
	"severity": "critical",
	"confidence": 85,
	"risk_score": 90,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1003.001"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Support staff collecting crash dumps on request (rare for lsass)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1003/001/"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	contains(cmd, "comsvcs")
	contains(cmd, "minidump")
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	contains(cmd, "lsass")
	regex.match(`(^|\s)[-/]ma(\s|$)`, cmd)
}
