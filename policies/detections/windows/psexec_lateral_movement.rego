# PsExec-style remote service execution
package vigil.detections.windows.psexec_lateral_movement

import data.vigil.lib

metadata := {
	"id": "windows-psexec-lateral-movement",
	"title": "PsExec-style remote service execution",
	"description": "Signs of PsExec or its clones: the PSEXESVC service installed, its named pipe opened, or a PSEXESVC binary written to ADMIN$ (5145).",
	"severity": "high",
	"confidence": 70,
	"risk_score": 70,
	"tactics": [
		"TA0008",
		"TA0002"
	],
	"techniques": [
		"T1021.002",
		"T1569.002"
	],
	"log_sources": [
		"windows.system",
		"windows.security",
		"windows.sysmon"
	],
	"false_positives": [
		"Administrators using Sysinternals PsExec legitimately."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1021/002/"
	]
}

finding contains {"entities": {"host": input.host.name}, "fields": {"evidence": "service"}} if {
	input.event.code in {"7045", "4697"}
	contains(lower(concat(" ", [lib.ed("ServiceName"), lib.ed("ImagePath"), lib.ed("ServiceFileName")])), "psexesvc")
}

finding contains {"entities": {"host": input.host.name}, "fields": {"evidence": "pipe", "pipe": lib.ed("PipeName")}} if {
	input.event.code in {"17", "18"}
	input.event.dataset == "windows.sysmon"
	startswith(lib.ed("PipeName"), "\\psexesvc")
}

finding contains {"fields": {"evidence": "admin share", "file": lib.ed("RelativeTargetName")}} if {
	input.event.code == "5145"
	endswith(lib.ed("ShareName"), "admin$")
	contains(lib.ed("RelativeTargetName"), "psexesvc")
}
