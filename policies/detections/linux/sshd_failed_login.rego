# SSH login failed
package vigil.detections.linux.sshd_failed_login

metadata := {
	"id": "linux-ssh-login-failed",
	"title": "SSH login failed",
	"description": "sshd rejected a password or public key, or the user does not exist. A building block for brute-force and spraying thresholds (and for success-after-failures correlation).",
	"severity": "info",
	"confidence": 20,
	"risk_score": 10,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1110",
		"T1110.001"
	],
	"log_sources": [
		"system.auth"
	],
	"false_positives": [
		"Users mistyping passwords; scanners on internet-facing hosts (many)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1110/001/"
	],
	"signal": true
}

finding contains {"fields": {"invalid_user": sprintf("%v", [object.get(input, ["system", "auth", "ssh", "invalid_user"], false)])}} if {
	input.event.action == "ssh_login_failed"
	input.event.dataset == "system.auth"
}
