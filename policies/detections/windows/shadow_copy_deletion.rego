# Volume shadow copies deleted
package vigil.detections.windows.shadow_copy_deletion

import data.vigil.lib

metadata := {
	"id": "windows-shadow-copy-deletion",
	"title": "Volume shadow copies deleted",
	"description": "vssadmin delete shadows, wmic shadowcopy delete, wbadmin delete catalog or shrinking shadow storage: ransomware removing recovery options.",
	"severity": "critical",
	"confidence": 85,
	"risk_score": 90,
	"tactics": [
		"TA0040"
	],
	"techniques": [
		"T1490"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Backup software pruning old snapshots (usually via API, not these commands)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1490/"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"vssadmin.exe", "VSSADMIN.EXE", "Vssadmin.exe", "VSSADMIN.exe", "wmic.exe", "WMIC.EXE", "Wmic.exe", "WMIC.exe", "wbadmin.exe", "WBADMIN.EXE", "Wbadmin.exe", "WBADMIN.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	some pattern in [`delete\s+shadows`, `resize\s+shadowstorage.*maxsize=\s*[0-9]+(kb|mb)`, `shadowcopy\s+delete`, `delete\s+catalog`, `delete\s+systemstatebackup`]
	regex.match(pattern, cmd)
}
