# CloudTrail logging stopped, trail deleted or reconfigured
package vigil.detections.aws.cloudtrail_logging_disabled

import data.vigil.lib

metadata := {
	"id": "aws-cloudtrail-logging-disabled",
	"title": "CloudTrail logging stopped, trail deleted or reconfigured",
	"description": "A principal stopped logging on a CloudTrail trail, deleted a trail or changed its configuration, which blinds audit logging.",
	"severity": "high",
	"confidence": 80,
	"risk_score": 75,
	"tactics": [
		"TA0005"
	],
	"techniques": [
		"T1562.008"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Planned trail migrations or consolidation by the platform team.",
		"UpdateTrail for benign changes such as adding a KMS key."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1562/008/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"action": input.event.action, "trail": trail},
	"severity": severity,
} if {
	input.event.dataset == "aws.cloudtrail"
	input.event.action in {"StopLogging", "DeleteTrail", "UpdateTrail"}
	object.get(input, ["event", "outcome"], "success") != "failure"
	trail := object.get(input, ["aws", "cloudtrail", "requestParameters", "name"], "")
	severity := {"StopLogging": "high", "DeleteTrail": "high", "UpdateTrail": "medium"}[input.event.action]
}
