# sudo to an interactive root shell
package vigil.detections.linux.sudo_root_shell

metadata := {
	"id": "linux-sudo-root-shell",
	"title": "sudo to an interactive root shell",
	"description": "A user ran a shell (or su) as root through sudo, e.g. sudo -i, sudo -s or sudo bash, leaving per-command sudo logging behind.",
	"severity": "medium",
	"confidence": 50,
	"risk_score": 55,
	"tactics": [
		"TA0004"
	],
	"techniques": [
		"T1548.003"
	],
	"log_sources": [
		"system.auth"
	],
	"false_positives": [
		"Administrators who habitually work in a root shell."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1548/003/"
	]
}

finding contains {"fields": {"command": input.process.command_line}} if {
	input.event.action == "sudo"
	input.event.dataset == "system.auth"
	object.get(input, ["user", "target", "name"], "root") == "root"
	exe := split(input.process.command_line, " ")[0]
	parts := split(exe, "/")
	parts[count(parts) - 1] in {"bash", "sh", "zsh", "dash", "ksh", "fish", "su", "tcsh", "csh"}
}
