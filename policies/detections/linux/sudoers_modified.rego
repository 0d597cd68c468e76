# sudoers edited through sudo
package vigil.detections.linux.sudoers_modified

metadata := {
	"id": "linux-sudoers-modified",
	"title": "sudoers edited through sudo",
	"description": "visudo ran or a command through sudo writes /etc/sudoers or /etc/sudoers.d, a way to grant lasting root rights.",
	"severity": "high",
	"confidence": 65,
	"risk_score": 70,
	"tactics": [
		"TA0004",
		"TA0003"
	],
	"techniques": [
		"T1548.003"
	],
	"log_sources": [
		"system.auth"
	],
	"false_positives": [
		"Configuration management (Ansible, Puppet) runs that manage sudoers."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1548/003/"
	]
}

readers := {"cat", "less", "more", "head", "tail", "grep", "ls", "stat", "diff", "visudo -c"}

finding contains {"fields": {"command": input.process.command_line}} if {
	input.event.action == "sudo"
	input.event.dataset == "system.auth"
	cmd := lower(input.process.command_line)
	writes_sudoers(cmd)
}

writes_sudoers(cmd) if {
	contains(cmd, "visudo")
	not contains(cmd, " -c")
}

writes_sudoers(cmd) if {
	contains(cmd, "/etc/sudoers")
	exe := split(split(cmd, " ")[0], "/")
	not exe[count(exe) - 1] in readers
}
