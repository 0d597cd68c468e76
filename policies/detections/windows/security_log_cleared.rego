# Windows event log cleared
package vigil.detections.windows.security_log_cleared

import data.vigil.lib

metadata := {
	"id": "windows-event-log-cleared",
	"title": "Windows event log cleared",
	"description": "The Security log (1102) or another event log (System 104) was cleared, typically to cover tracks.",
	"severity": "high",
	"confidence": 80,
	"risk_score": 75,
	"tactics": [
		"TA0005"
	],
	"techniques": [
		"T1070.001"
	],
	"log_sources": [
		"windows.security",
		"windows.system"
	],
	"false_positives": [
		"Administrators clearing logs on test systems."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1070/001/"
	]
}

finding contains {"entities": {"host": input.host.name}, "fields": {"log": "Security"}} if {
	input.event.code == "1102"
	input.event.dataset == "windows.security"
}

finding contains {"entities": {"host": input.host.name}, "fields": {"log": object.get(lib.event_data, "Channel", "")}} if {
	input.event.code == "104"
	input.event.dataset == "windows.system"
}
