# System inventory gathered with WMIC
package vigil.detections.windows.wmic_system_discovery

import data.vigil.lib

metadata := {
	"id": "windows-wmic-system-discovery",
	"title": "System inventory gathered with WMIC",
	"description": "wmic.exe querying installed hotfixes, products, services, the computer system or the operating system: the inventory an intruder takes to choose exploits and find security software.",
	"severity": "low",
	"confidence": 40,
	"risk_score": 20,
	"tactics": [
		"TA0007",
		"TA0002"
	],
	"techniques": [
		"T1082",
		"T1047"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Inventory and patch-audit scripts run by IT; common on administrators' machines."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1082/",
		"https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_wmic_recon_hotfix.yml"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"WMIC.EXE", "WMIC.exe", "Wmic.EXE", "Wmic.exe", "wmic.EXE", "wmic.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	regex.match(`\b(qfe|computersystem|product|antivirusproduct|firewallproduct|service|os|startup|useraccount)\b[^|]*\b(get|list)\b`, cmd)
}
