# Okta MFA factor deactivated or reset
package vigil.detections.okta.mfa_factor_reset

metadata := {
	"id": "okta-mfa-factor-reset",
	"title": "Okta MFA factor deactivated or reset",
	"description": "An MFA factor of an Okta user was deactivated or all factors were reset; attackers do this to enrol their own device.",
	"severity": "medium",
	"confidence": 55,
	"risk_score": 60,
	"tactics": [
		"TA0003",
		"TA0005"
	],
	"techniques": [
		"T1556.006",
		"T1098.005"
	],
	"log_sources": [
		"okta.system"
	],
	"false_positives": [
		"Helpdesk resets for lost phones."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1556/006/"
	]
}

finding contains {
	"entities": {"user": [input.user.name, object.get(input, ["user", "target", "name"], "")]},
	"fields": {"event_type": input.event.action},
} if {
	input.event.dataset == "okta.system"
	input.event.action in {"user.mfa.factor.deactivate", "user.mfa.factor.reset_all", "user.mfa.factor.suspend"}
	input.event.outcome == "success"
}
