# Local administrators group enumerated with net.exe
package vigil.detections.windows.local_admin_group_discovery

import data.vigil.lib

metadata := {
	"id": "windows-local-admin-group-discovery",
	"title": "Local administrators group enumerated with net.exe",
	"description": "net.exe or net1.exe listing the members of the local Administrators group (net localgroup administrators): discovery that attackers run right after landing on a host. Low on its own; it matters next to other alerts on the host.",
	"severity": "low",
	"confidence": 40,
	"risk_score": 25,
	"tactics": [
		"TA0007"
	],
	"techniques": [
		"T1069.001"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Administrators and inventory scripts checking group membership."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1069/001/"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"net.exe", "net1.exe", "NET.EXE", "NET1.EXE", "Net.exe", "Net1.exe", "NET.exe", "NET1.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	contains(cmd, "localgroup")
	contains(cmd, "admin")
	not adds_or_removes(cmd)
}

# Changing membership is not discovery (windows-privileged-group-member-added covers it).
adds_or_removes(cmd) if contains(cmd, "/add")

adds_or_removes(cmd) if contains(cmd, "/del")
