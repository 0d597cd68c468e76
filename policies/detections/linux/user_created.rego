# Linux user account created
package vigil.detections.linux.user_created

metadata := {
	"id": "linux-user-created",
	"title": "Linux user account created",
	"description": "A local account was created (useradd/adduser logged by the system, or run through sudo).",
	"severity": "low",
	"confidence": 40,
	"risk_score": 45,
	"tactics": [
		"TA0003"
	],
	"techniques": [
		"T1136.001"
	],
	"log_sources": [
		"system.auth"
	],
	"false_positives": [
		"Provisioning by configuration management."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1136/001/"
	]
}

finding contains {"entities": {"host": input.host.name}, "fields": {"new_user": object.get(input, ["user", "target", "name"], "")}} if {
	input.event.action == "user_created"
	input.event.dataset == "system.auth"
}

finding contains {"fields": {"command": input.process.command_line}} if {
	input.event.action == "sudo"
	input.event.dataset == "system.auth"
	exe := split(split(input.process.command_line, " ")[0], "/")
	exe[count(exe) - 1] in {"useradd", "adduser"}
}
