# certutil used to download a file
package vigil.detections.windows.certutil_download

import data.vigil.lib

metadata := {
	"id": "windows-certutil-download",
	"title": "certutil used to download a file",
	"description": "certutil.exe with -urlcache or -verifyctl and a URL: a living-off-the-land download of payloads.",
	"severity": "high",
	"confidence": 80,
	"risk_score": 70,
	"tactics": [
		"TA0011",
		"TA0005"
	],
	"techniques": [
		"T1105",
		"T1218"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Rare administrative use to fetch certificates or CRLs."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1105/"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"certutil.exe", "CERTUTIL.EXE", "Certutil.exe", "CERTUTIL.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	some verb in ["urlcache", "verifyctl"]
	contains(cmd, verb)
	regex.match(`https?://`, cmd)
}
