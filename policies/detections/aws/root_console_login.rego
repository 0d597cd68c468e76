# AWS root account console sign-in
package vigil.detections.aws.root_console_login

import data.vigil.lib

metadata := {
	"id": "aws-root-console-login",
	"title": "AWS root account console sign-in",
	"description": "The root user of an AWS account signed in to the console. Root should be locked away and used only for the few tasks that need it.",
	"severity": "high",
	"confidence": 85,
	"risk_score": 80,
	"tactics": [
		"TA0001",
		"TA0004"
	],
	"techniques": [
		"T1078.004"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Break-glass procedures and account recovery.",
		"Tasks that require root, such as closing the account or changing support plans."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1078/004/"
	]
}

finding contains {"entities": {"user": "root", "cloud_account": object.get(input, ["cloud", "account", "id"], "")}} if {
	input.event.dataset == "aws.cloudtrail"
	input.event.action == "ConsoleLogin"
	input.event.outcome == "success"
	is_root
}

is_root if input.aws.cloudtrail.userIdentity.type == "Root"

is_root if input.user.name == "root"
