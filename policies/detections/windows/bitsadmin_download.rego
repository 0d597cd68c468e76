# bitsadmin used to download a file
package vigil.detections.windows.bitsadmin_download

import data.vigil.lib

metadata := {
	"id": "windows-bitsadmin-download",
	"title": "bitsadmin used to download a file",
	"description": "bitsadmin.exe creating a BITS job (/transfer, /addfile, /create) that fetches an http(s) URL: a living-off-the-land download that survives reboots and blends with Windows Update traffic.",
	"severity": "high",
	"confidence": 75,
	"risk_score": 65,
	"tactics": [
		"TA0005",
		"TA0011",
		"TA0003"
	],
	"techniques": [
		"T1197",
		"T1105"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Old software-distribution scripts that still call bitsadmin instead of the BITS PowerShell module."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1197/"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"bitsadmin.exe", "BITSADMIN.EXE", "Bitsadmin.exe", "BitsAdmin.exe", "BITSADMIN.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	some verb in ["/transfer", "/addfile", "/create", "/setnotifycmdline", "-transfer", "-addfile"]
	contains(cmd, verb)
	regex.match(`https?://`, cmd)
}
