# Okta Verify push rejected by the user
package vigil.detections.okta.mfa_push_rejected

metadata := {
	"id": "okta-mfa-push-rejected",
	"title": "Okta Verify push rejected by the user",
	"description": "The user denied an Okta Verify push. Several in a row point to MFA fatigue (push bombing) by someone who knows the password; correlation counts them.",
	"severity": "low",
	"confidence": 40,
	"risk_score": 30,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1621"
	],
	"log_sources": [
		"okta.system"
	],
	"false_positives": [
		"A user who did not start the sign-in on purpose (e.g. a second device)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1621/"
	],
	"signal": true
}

finding contains {} if {
	input.event.dataset == "okta.system"
	input.event.action == "user.mfa.okta_verify.deny_push"
}

finding contains {} if {
	input.event.dataset == "okta.system"
	input.event.action == "user.authentication.auth_via_mfa"
	input.event.outcome == "failure"
	contains(lower(object.get(input, ["okta", "outcome", "reason"], "")), "rejected")
}
