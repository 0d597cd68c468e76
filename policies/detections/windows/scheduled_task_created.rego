# Scheduled task created
package vigil.detections.windows.scheduled_task_created

import data.vigil.lib

metadata := {
	"id": "windows-scheduled-task-created",
	"title": "Scheduled task created",
	"description": "A scheduled task was registered (Security 4698) or schtasks /create ran, a common persistence and remote-execution method.",
	"severity": "low",
	"confidence": 40,
	"risk_score": 45,
	"tactics": [
		"TA0003",
		"TA0002",
		"TA0004"
	],
	"techniques": [
		"T1053.005"
	],
	"log_sources": [
		"windows.security",
		"windows.sysmon"
	],
	"false_positives": [
		"Software installers and updaters registering tasks."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1053/005/"
	]
}

finding contains {"entities": {"host": input.host.name, "user": input.user.name}, "fields": {"task": object.get(lib.event_data, "TaskName", "")}} if {
	input.event.code == "4698"
	input.event.dataset == "windows.security"
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"schtasks.exe", "SCHTASKS.EXE", "Schtasks.exe", "SCHTASKS.exe"}
	input.event.code in {"1", "4688"}
	contains(lib.cmdline, "/create")
}
