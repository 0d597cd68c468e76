# Run key autostart entry added with reg.exe
package vigil.detections.windows.run_key_added_with_reg

import data.vigil.lib

metadata := {
	"id": "windows-run-key-added-with-reg",
	"title": "Run key autostart entry added with reg.exe",
	"description": "reg.exe adding a value under a Run or RunOnce key (HKCU/HKLM ...\\CurrentVersion\\Run, the WOW6432Node copy, or the Explorer Run policy): the program named there starts at every logon, a common way for malware and intruders to persist.",
	"severity": "medium",
	"confidence": 60,
	"risk_score": 50,
	"tactics": [
		"TA0003",
		"TA0004"
	],
	"techniques": [
		"T1547.001"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Installers and administrators that register autostart programs from scripts; check the program path (user-writable folders such as AppData or Temp are suspicious)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1547/001/",
		"https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_reg_add_run_key.yml"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"REG.EXE", "REG.exe", "Reg.EXE", "Reg.exe", "reg.EXE", "reg.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	regex.match(`(^|[\s"\\])(reg|reg\.exe)"?\s+add\s`, cmd)
	some key in ["\\currentversion\\run", "\\currentversion\\policies\\explorer\\run"]
	contains(cmd, key)
}
