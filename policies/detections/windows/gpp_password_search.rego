# Search of SYSVOL for Group Policy Preference passwords
package vigil.detections.windows.gpp_password_search

import data.vigil.lib

metadata := {
	"id": "windows-gpp-password-search",
	"title": "Search of SYSVOL for Group Policy Preference passwords",
	"description": "find or findstr searching SYSVOL XML files for cpassword: Group Policy Preferences stored passwords with a published key, so any domain user who finds one can decrypt it.",
	"severity": "high",
	"confidence": 80,
	"risk_score": 70,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1552.006"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Audits for leftover GPP passwords; they should come from the security team's own accounts."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1552/006/",
		"https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_findstr_gpp_passwords.yml"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"FINDSTR.EXE", "FINDSTR.exe", "Findstr.EXE", "Findstr.exe", "findstr.EXE", "findstr.exe", "FIND.EXE", "FIND.exe", "Find.EXE", "Find.exe", "find.EXE", "find.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	contains(cmd, "cpassword")
	contains(cmd, "\\sysvol\\")
	contains(cmd, ".xml")
}
