# CMSTP UAC bypass or proxy execution
package vigil.detections.windows.cmstp_uac_bypass

import data.vigil.lib

metadata := {
	"id": "windows-cmstp-uac-bypass",
	"title": "CMSTP UAC bypass or proxy execution",
	"description": "cmstp.exe installing a connection profile (.inf) silently (/s, /au, /ni), or a process started by the auto-elevated CMSTPLUA / CMLUAUTIL COM object (dllhost.exe /Processid:{3E5FC7F9-...} or {3E000D72-...}): the INF runs attacker commands and the COM object hands them a high-integrity token without a UAC prompt.",
	"severity": "high",
	"confidence": 80,
	"risk_score": 75,
	"tactics": [
		"TA0005",
		"TA0004"
	],
	"techniques": [
		"T1218.003",
		"T1548.002"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Connection Manager profiles deployed by administrators with cmstp /s (rare on modern fleets)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1218/003/",
		"https://attack.mitre.org/techniques/T1548/002/"
	]
}

# The COM objects abused for auto-elevation (CMSTPLUA, CMLUAUTIL).
elevation_clsids := ["3e5fc7f9-9a51-4367-9063-a120244fbec7", "3e000d72-a845-4cd9-bd83-80c07c3b881f"]

finding contains {"fields": {"evidence": "cmstp inf", "command_line": input.process.command_line}} if {
	input.process.name in {"cmstp.exe", "CMSTP.EXE", "CMSTP.exe", "Cmstp.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	contains(cmd, ".inf")
	some flag in ["/s", "/au", "/ni", "-s ", "-au", "-ni"]
	contains(cmd, flag)
}

finding contains {"fields": {"evidence": "elevated COM child", "command_line": input.process.command_line, "parent_command_line": input.process.parent.command_line}} if {
	input.process.parent.name in {"dllhost.exe", "DllHost.exe", "DLLHOST.EXE", "Dllhost.exe"}
	input.event.code == "1"
	parent := lower(input.process.parent.command_line)
	some clsid in elevation_clsids
	contains(parent, clsid)
}
