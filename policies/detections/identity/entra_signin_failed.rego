# Entra ID / Microsoft 365 sign-in failed
package vigil.detections.identity.entra_signin_failed

metadata := {
	"id": "entra-signin-failed",
	"title": "Entra ID / Microsoft 365 sign-in failed",
	"description": "A failed interactive sign-in to Entra ID or Microsoft 365. One alone means nothing; correlation counts them per user and per source ip to find password spraying and brute force.",
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
		"azure.signinlogs",
		"o365.audit"
	],
	"false_positives": [
		"Users mistyping passwords; expired passwords; legacy clients retrying old credentials."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1110/003/"
	],
	"signal": true,
	"broad_index": "Every failed Entra ID sign-in is the finding: it feeds the password-spraying and brute-force thresholds."
}

finding contains {"fields": {"error_code": sprintf("%v", [object.get(input, ["azure", "signinlogs", "properties", "status", "errorCode"], "")])}} if {
	input.event.dataset == "azure.signinlogs"
	input.event.outcome == "failure"
}

finding contains {"fields": {"operation": "UserLoginFailed"}} if {
	input.event.dataset == "o365.audit"
	input.event.action == "UserLoginFailed"
}
