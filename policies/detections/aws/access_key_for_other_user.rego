# IAM access key created for another user
package vigil.detections.aws.access_key_for_other_user

import data.vigil.lib

metadata := {
	"id": "aws-access-key-created-for-other-user",
	"title": "IAM access key created for another user",
	"description": "A principal created an access key for a different IAM user, a common way to persist or escalate with someone else's identity.",
	"severity": "high",
	"confidence": 70,
	"risk_score": 70,
	"tactics": [
		"TA0003",
		"TA0004"
	],
	"techniques": [
		"T1098.001"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Administrators rotating keys on behalf of service users.",
		"Automation accounts listed in data.vigil.allow.key_admins are ignored."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1098/001/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"key_owner": owner},
} if {
	input.event.dataset == "aws.cloudtrail"
	input.event.action == "CreateAccessKey"
	input.event.outcome == "success"
	owner := input.aws.cloudtrail.requestParameters.userName
	owner != input.user.name
	not lib.tenant_lookup(data.vigil.allow.key_admins, input.user.name)
}
