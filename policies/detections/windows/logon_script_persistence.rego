# Logon script set through UserInitMprLogonScript
package vigil.detections.windows.logon_script_persistence

import data.vigil.lib

metadata := {
	"id": "windows-logon-script-persistence",
	"title": "Logon script set through UserInitMprLogonScript",
	"description": "The UserInitMprLogonScript value under HKCU\\Environment written (Sysmon 13) or set with reg.exe: userinit.exe runs that script at every logon of the user, a persistence method that needs no administrator rights.",
	"severity": "high",
	"confidence": 85,
	"risk_score": 70,
	"tactics": [
		"TA0003",
		"TA0004"
	],
	"techniques": [
		"T1037.001"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Legacy login scripts deployed per user (Group Policy uses other keys)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1037/001/"
	]
}

finding contains {"fields": {"evidence": "registry", "target": input.winlog.event_data.TargetObject, "script": lib.ed("Details")}} if {
	endswith(input.winlog.event_data.TargetObject, "\\Environment\\UserInitMprLogonScript")
	input.event.code in {"12", "13", "14"}
}

finding contains {"fields": {"evidence": "command line", "command_line": input.process.command_line}} if {
	input.process.name in {"reg.exe", "REG.exe", "REG.EXE", "Reg.exe", "powershell.exe", "PowerShell.exe", "POWERSHELL.EXE", "pwsh.exe"}
	input.event.code in {"1", "4688"}
	contains(lib.cmdline, "userinitmprlogonscript")
}
