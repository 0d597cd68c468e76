# Entra ID MFA request denied
package vigil.detections.identity.entra_mfa_denied

metadata := {
	"id": "entra-mfa-denied",
	"title": "Entra ID MFA request denied",
	"description": "An Entra ID sign-in failed because the user denied the MFA request (error 500121). Repeats point to MFA fatigue; correlation counts them.",
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
		"azure.signinlogs"
	],
	"false_positives": [
		"Users rejecting a prompt they did not expect from a second device."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1621/"
	],
	"signal": true
}

finding contains {"fields": {"error_code": "500121"}} if {
	input.event.dataset == "azure.signinlogs"
	input.event.outcome == "failure"
	input.azure.signinlogs.properties.status.errorCode in {500121, "500121"}
}
