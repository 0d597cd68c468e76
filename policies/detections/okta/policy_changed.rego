# Okta sign-on or MFA policy changed
package vigil.detections.okta.policy_changed

metadata := {
	"id": "okta-policy-changed",
	"title": "Okta sign-on or MFA policy changed",
	"description": "An Okta policy or policy rule was updated, deactivated or deleted, possibly weakening sign-on or MFA requirements.",
	"severity": "medium",
	"confidence": 50,
	"risk_score": 55,
	"tactics": [
		"TA0005",
		"TA0003"
	],
	"techniques": [
		"T1556",
		"T1562.001"
	],
	"log_sources": [
		"okta.system"
	],
	"false_positives": [
		"Routine policy maintenance by identity administrators."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1556/"
	]
}

finding contains {"fields": {"event_type": input.event.action, "policy": policy}} if {
	input.event.dataset == "okta.system"
	input.event.action in {"policy.lifecycle.update", "policy.lifecycle.deactivate", "policy.lifecycle.delete", "policy.rule.update", "policy.rule.deactivate", "policy.rule.delete"}
	input.event.outcome == "success"
	policy := concat(",", [t.displayName | some t in object.get(input, ["okta", "target"], []); t.displayName])
}
