# rundll32 / regsvr32 proxy execution of remote or script content
package vigil.detections.windows.rundll32_regsvr32_lolbin

import data.vigil.lib

metadata := {
	"id": "windows-rundll32-regsvr32-proxy-execution",
	"title": "rundll32 / regsvr32 proxy execution of remote or script content",
	"description": "regsvr32 loading a scriptlet (/i:http, scrobj.dll: Squiblydoo) or rundll32 running JavaScript, mshtml RunHTMLApplication or a URL: signed-binary proxy execution.",
	"severity": "high",
	"confidence": 75,
	"risk_score": 70,
	"tactics": [
		"TA0005",
		"TA0002"
	],
	"techniques": [
		"T1218.010",
		"T1218.011"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Some legacy installers register COM objects from network shares (not http)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1218/010/",
		"https://attack.mitre.org/techniques/T1218/011/"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"regsvr32.exe", "REGSVR32.EXE", "Regsvr32.exe", "REGSVR32.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	some marker in ["/i:http", "-i:http", "scrobj.dll"]
	contains(cmd, marker)
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"rundll32.exe", "RUNDLL32.EXE", "Rundll32.exe", "RUNDLL32.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	some marker in ["javascript:", "runhtmlapplication", "url.dll,openurl", "url.dll,fileprotocolhandler", "http://", "https://"]
	contains(cmd, marker)
}
