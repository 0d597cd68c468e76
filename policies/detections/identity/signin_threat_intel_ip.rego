# Successful sign-in from a threat-intel or anonymising IP
package vigil.detections.identity.signin_threat_intel_ip

import data.vigil.lib

metadata := {
	"id": "signin-from-threat-intel-ip",
	"title": "Successful sign-in from a threat-intel or anonymising IP",
	"description": "A user signed in successfully from an address on the threat-intel list or from an anonymising service (Tor, commercial VPN or proxy).",
	"severity": "high",
	"confidence": 70,
	"risk_score": 70,
	"tactics": [
		"TA0001"
	],
	"techniques": [
		"T1078",
		"T1090.003"
	],
	"log_sources": [
		"azure.signinlogs",
		"okta.system",
		"o365.audit",
		"aws.cloudtrail"
	],
	"false_positives": [
		"Employees using privacy VPNs.",
		"Stale threat-intel entries for re-assigned cloud addresses."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1078/"
	]
}

finding contains {"fields": {"reason": reason}} if {
	input.event.action in {"Sign-in activity", "UserLoggedIn", "user.session.start", "ConsoleLogin"}
	input.event.outcome == "success"
	ip := input.source.ip
	reason := ip_reason(ip)
}

ip_reason(ip) := lib.threat_ip_reason(ip) if lib.bad_ip(ip)

ip_reason(ip) := "anonymising service" if {
	not lib.bad_ip(ip)
	lib.anonymous_ip(ip)
}
