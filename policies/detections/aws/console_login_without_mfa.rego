# AWS console sign-in without MFA
package vigil.detections.aws.console_login_without_mfa

import data.vigil.lib

metadata := {
	"id": "aws-console-login-without-mfa",
	"title": "AWS console sign-in without MFA",
	"description": "An IAM user signed in to the AWS console with a password only. Stolen passwords are enough to take over such an account.",
	"severity": "medium",
	"confidence": 70,
	"risk_score": 55,
	"tactics": [
		"TA0001",
		"TA0006"
	],
	"techniques": [
		"T1078.004"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Users not yet enrolled in MFA during onboarding.",
		"Federated sign-ins where MFA happens at the identity provider (excluded when the identity is an assumed role)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1078/004/"
	]
}

finding contains {"fields": {"mfa_used": "No"}} if {
	input.event.dataset == "aws.cloudtrail"
	input.event.action == "ConsoleLogin"
	input.event.outcome == "success"
	input.aws.cloudtrail.additionalEventData.MFAUsed == "No"
	not object.get(input, ["aws", "cloudtrail", "userIdentity", "type"], "") in {"AssumedRole", "FederatedUser"}
}
