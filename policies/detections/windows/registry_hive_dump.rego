# SAM, SECURITY or SYSTEM hive saved with reg.exe
package vigil.detections.windows.registry_hive_dump

import data.vigil.lib

metadata := {
	"id": "windows-registry-hive-dump",
	"title": "SAM, SECURITY or SYSTEM hive saved with reg.exe",
	"description": "reg.exe save or export of HKLM\\SAM, HKLM\\SECURITY (LSA secrets, cached credentials) or HKLM\\SYSTEM (the boot key): offline credential extraction, often run as SYSTEM through PsExec -s.",
	"severity": "critical",
	"confidence": 85,
	"risk_score": 90,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1003.002",
		"T1003.004",
		"T1003.005"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Backup or forensic scripts that copy hives (they seldom use reg save)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1003/002/",
		"https://attack.mitre.org/techniques/T1003/004/"
	]
}

finding contains {"fields": {"hive": hive, "command_line": input.process.command_line}} if {
	input.process.name in {"reg.exe", "REG.exe", "REG.EXE", "Reg.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	regex.match(`(^|\s)(save|export)\s`, cmd)
	some hive in ["sam", "security", "system"]
	regex.match(sprintf(`\s(hklm|hkey_local_machine)\\%s(\\|\s|"|$)`, [hive]), cmd)
}
