# Windows user account created
package vigil.detections.windows.local_user_created

import data.vigil.lib

metadata := {
	"id": "windows-user-account-created",
	"title": "Windows user account created",
	"description": "A user account was created (4720). Unexpected accounts, especially on servers, are a common persistence method.",
	"severity": "low",
	"confidence": 40,
	"risk_score": 45,
	"tactics": [
		"TA0003"
	],
	"techniques": [
		"T1136.001",
		"T1136.002"
	],
	"log_sources": [
		"windows.security"
	],
	"false_positives": [
		"Joiner processes and IT provisioning."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1136/001/"
	]
}

finding contains {
	"entities": {"host": input.host.name, "user": input.user.name},
	"fields": {"new_user": object.get(input, ["user", "target", "name"], lib.ed("TargetUserName"))},
} if {
	input.event.code == "4720"
	input.event.dataset == "windows.security"
}
