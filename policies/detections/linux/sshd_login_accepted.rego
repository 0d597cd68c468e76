# SSH login accepted
package vigil.detections.linux.sshd_login_accepted

metadata := {
	"id": "linux-ssh-login-accepted",
	"title": "SSH login accepted",
	"description": "sshd accepted a login. A building block: correlation raises success after many failures, or logins from new sources.",
	"severity": "info",
	"confidence": 10,
	"risk_score": 5,
	"tactics": [
		"TA0001",
		"TA0008"
	],
	"techniques": [
		"T1078",
		"T1021.004"
	],
	"log_sources": [
		"system.auth"
	],
	"false_positives": [
		"Every normal SSH login."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1021/004/"
	],
	"signal": true
}

finding contains {"fields": {"method": object.get(input, ["system", "auth", "ssh", "method"], "")}} if {
	input.event.action == "ssh_login"
	input.event.dataset == "system.auth"
	input.event.outcome == "success"
}
