# User consented to an unapproved OAuth application
package vigil.detections.o365.oauth_consent_unapproved

import data.vigil.lib

metadata := {
	"id": "o365-oauth-consent-unapproved-app",
	"title": "User consented to an unapproved OAuth application",
	"description": "A user granted an OAuth application access to their data, and the application is not on the tenant's approved list (data.vigil.allow.oauth_apps). Consent phishing gives the attacker persistent API access.",
	"severity": "medium",
	"confidence": 55,
	"risk_score": 65,
	"tactics": [
		"TA0001",
		"TA0003"
	],
	"techniques": [
		"T1528",
		"T1566.002"
	],
	"log_sources": [
		"o365.audit"
	],
	"false_positives": [
		"New SaaS tools users adopt before IT approves them."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1528/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "application": app},
	"fields": {"application": app},
} if {
	input.event.dataset == "o365.audit"
	input.event.action in {"Consent to application.", "Consent to application"}
	app := object.get(input, ["o365", "audit", "ObjectId"], "")
	not lib.tenant_lookup(data.vigil.allow.oauth_apps, app)
}
