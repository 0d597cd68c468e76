# su to root
package vigil.detections.linux.su_to_root

import data.vigil.lib

metadata := {
	"id": "linux-su-to-root",
	"title": "su to root",
	"description": "A user switched to root with su. Expected from few administrators only; combine with asset criticality.",
	"severity": "low",
	"confidence": 40,
	"risk_score": 40,
	"tactics": [
		"TA0004"
	],
	"techniques": [
		"T1548",
		"T1078.003"
	],
	"log_sources": [
		"system.auth"
	],
	"false_positives": [
		"Administrators without sudo."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1078/003/"
	]
}

finding contains {"fields": {"criticality": lib.criticality("hosts", object.get(input, ["host", "name"], ""))}} if {
	input.event.action == "su"
	input.event.dataset == "system.auth"
	input.event.outcome == "success"
	input.user.target.name == "root"
}
