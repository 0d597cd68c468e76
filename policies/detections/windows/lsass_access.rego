# Suspicious access to LSASS memory
package vigil.detections.windows.lsass_access

import data.vigil.lib

metadata := {
	"id": "windows-lsass-memory-access",
	"title": "Suspicious access to LSASS memory",
	"description": "A process opened lsass.exe with an access mask used by credential dumpers (Sysmon event 10), e.g. Mimikatz sekurlsa or MiniDumpWriteDump.",
	"severity": "high",
	"confidence": 70,
	"risk_score": 85,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1003.001"
	],
	"log_sources": [
		"windows.sysmon"
	],
	"false_positives": [
		"EDR and anti-virus agents; add their images to the exclusion set."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1003/001/"
	]
}

suspicious_access := {"0x1010", "0x1038", "0x1410", "0x1418", "0x1438", "0x143a", "0x1fffff", "0x1f0fff", "0x1f1fff", "0x1f2fff", "0x1f3fff", "0x40"}

trusted_sources := {"msmpeng.exe", "wininit.exe", "csrss.exe", "wmiprvse.exe", "svchost.exe", "taskmgr.exe", "mrt.exe"}

finding contains {
	"entities": {"host": input.host.name, "process": source},
	"fields": {"source_image": source, "granted_access": access},
} if {
	input.event.code == "10"
	input.event.dataset == "windows.sysmon"
	endswith(lib.ed("TargetImage"), "\\lsass.exe")
	access := lib.ed("GrantedAccess")
	access in suspicious_access
	source := lib.ed("SourceImage")
	parts := split(source, "\\")
	not parts[count(parts) - 1] in trusted_sources
}
