# Okta administrator privilege granted
package vigil.detections.okta.admin_role_granted

metadata := {
	"id": "okta-admin-role-granted",
	"title": "Okta administrator privilege granted",
	"description": "An administrator role was granted to an Okta user (user.account.privilege.grant).",
	"severity": "high",
	"confidence": 70,
	"risk_score": 70,
	"tactics": [
		"TA0004",
		"TA0003"
	],
	"techniques": [
		"T1098.003"
	],
	"log_sources": [
		"okta.system"
	],
	"false_positives": [
		"Planned admin onboarding."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1098/003/"
	]
}

finding contains {
	"entities": {"user": [input.user.name, object.get(input, ["user", "target", "name"], "")]},
	"fields": {"privilege": object.get(input, ["okta", "debugContext", "debugData", "privilegeGranted"], ""), "target": object.get(input, ["user", "target", "name"], "")},
} if {
	input.event.dataset == "okta.system"
	input.event.action == "user.account.privilege.grant"
	input.event.outcome == "success"
}
