# Okta authentication failed
package vigil.detections.okta.auth_failed

metadata := {
	"id": "okta-authentication-failed",
	"title": "Okta authentication failed",
	"description": "A failed Okta sign-in or factor verification; a building block for password-spraying and brute-force thresholds.",
	"severity": "info",
	"confidence": 20,
	"risk_score": 10,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1110",
		"T1110.003"
	],
	"log_sources": [
		"okta.system"
	],
	"false_positives": [
		"Users mistyping passwords or factors."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1110/"
	],
	"signal": true
}

finding contains {"fields": {"event_type": input.event.action, "reason": object.get(input, ["okta", "outcome", "reason"], "")}} if {
	input.event.dataset == "okta.system"
	input.event.action in {"user.session.start", "user.authentication.sso", "user.authentication.auth_via_mfa", "user.authentication.verify", "user.authentication.authenticate"}
	input.event.outcome == "failure"
}
