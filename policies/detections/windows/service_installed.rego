# New Windows service installed
package vigil.detections.windows.service_installed

import data.vigil.lib

metadata := {
	"id": "windows-service-installed",
	"title": "New Windows service installed",
	"description": "A service was installed (System 7045 / Security 4697). Severity rises when the binary lives in a user-writable path or runs a shell.",
	"severity": "low",
	"confidence": 40,
	"risk_score": 40,
	"tactics": [
		"TA0003",
		"TA0004",
		"TA0002"
	],
	"techniques": [
		"T1543.003",
		"T1569.002"
	],
	"log_sources": [
		"windows.system",
		"windows.security"
	],
	"false_positives": [
		"Software installs and updates; drivers."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1543/003/"
	]
}

finding contains {
	"entities": {"host": input.host.name},
	"fields": {"service": service, "image_path": path},
	"severity": severity,
} if {
	input.event.code in {"7045", "4697"}
	service := object.get(lib.event_data, "ServiceName", "")
	path := object.get(lib.event_data, "ImagePath", object.get(lib.event_data, "ServiceFileName", ""))
	severity := service_severity(lower(path))
}

service_severity(p) := "high" if suspicious_path(p)

service_severity(p) := "low" if not suspicious_path(p)

suspicious_path(p) if {
	some x in ["\\temp\\", "\\users\\", "\\programdata\\", "\\appdata\\", "cmd.exe /c", "cmd /c", "powershell", "%comspec%", "\\\\127.0.0.1\\", "admin$"]
	contains(p, x)
}
