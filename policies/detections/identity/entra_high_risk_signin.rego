# Entra ID sign-in rated high risk
package vigil.detections.identity.entra_high_risk_signin

metadata := {
	"id": "entra-high-risk-signin",
	"title": "Entra ID sign-in rated high risk",
	"description": "Entra ID Protection rated a sign-in (riskLevelDuringSignIn) or the user (riskLevelAggregated) high risk and the risk was not dismissed or remediated: leaked credentials, token replay, anonymous or unfamiliar infrastructure.",
	"severity": "high",
	"confidence": 65,
	"risk_score": 70,
	"tactics": [
		"TA0001"
	],
	"techniques": [
		"T1078.004"
	],
	"log_sources": [
		"azure.signinlogs"
	],
	"false_positives": [
		"Travel and new devices that Identity Protection has not yet learned."
	],
	"references": [
		"https://learn.microsoft.com/en-us/entra/id-protection/concept-identity-protection-risks"
	]
}

finding contains {"fields": {"risk": "during sign-in", "risk_state": risk_state}} if {
	input.azure.signinlogs.properties.riskLevelDuringSignIn == "high"
	input.event.dataset == "azure.signinlogs"
	risk_open
}

finding contains {"fields": {"risk": "aggregated", "risk_state": risk_state}} if {
	input.azure.signinlogs.properties.riskLevelAggregated == "high"
	input.event.dataset == "azure.signinlogs"
	risk_open
}

risk_state := lower(object.get(input, ["azure", "signinlogs", "properties", "riskState"], ""))

risk_open if not risk_state in {"dismissed", "remediated", "confirmedsafe"}
