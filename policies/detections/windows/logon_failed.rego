# Windows logon failed (4625)
package vigil.detections.windows.logon_failed

import data.vigil.lib

metadata := {
	"id": "windows-logon-failed",
	"title": "Windows logon failed (4625)",
	"description": "A failed Windows logon. A building block: correlation thresholds count them per account, host and source address for brute force and password spraying.",
	"severity": "info",
	"confidence": 20,
	"risk_score": 10,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1110",
		"T1110.003"
	],
	"log_sources": [
		"windows.security"
	],
	"false_positives": [
		"Users mistyping passwords; services with stale credentials."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1110/"
	],
	"signal": true
}

finding contains {"fields": {"logon_type": lib.ed("LogonType"), "status": lib.ed("Status"), "sub_status": lib.ed("SubStatus")}} if {
	input.event.code == "4625"
	input.event.dataset == "windows.security"
}
