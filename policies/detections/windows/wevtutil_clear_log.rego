# Event log cleared with wevtutil
package vigil.detections.windows.wevtutil_clear_log

import data.vigil.lib

metadata := {
	"id": "windows-wevtutil-clear-log",
	"title": "Event log cleared with wevtutil",
	"description": "wevtutil cl / clear-log ran, clearing an event log from the command line.",
	"severity": "high",
	"confidence": 80,
	"risk_score": 70,
	"tactics": [
		"TA0005"
	],
	"techniques": [
		"T1070.001"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Administrators resetting logs on build machines."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1070/001/"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"wevtutil.exe", "WEVTUTIL.EXE", "Wevtutil.exe", "WEVTUTIL.exe"}
	input.event.code in {"1", "4688"}
	regex.match(`\s(cl|clear-log)\s`, lib.cmdline)
}
