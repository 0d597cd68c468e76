# GuardDuty detector deleted, disabled or detached
package vigil.detections.aws.guardduty_disabled

import data.vigil.lib

metadata := {
	"id": "aws-guardduty-disabled",
	"title": "GuardDuty detector deleted, disabled or detached",
	"description": "A principal deleted or disabled a GuardDuty detector or removed the account from its administrator, turning off threat detection.",
	"severity": "high",
	"confidence": 85,
	"risk_score": 75,
	"tactics": [
		"TA0005"
	],
	"techniques": [
		"T1562.001"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Region clean-up by the platform team.",
		"Re-organising the GuardDuty administrator account."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1562/001/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"action": input.event.action, "detector": object.get(input, ["aws", "cloudtrail", "requestParameters", "detectorId"], "")},
} if {
	input.event.dataset == "aws.cloudtrail"
	input.event.action in {"DeleteDetector", "DisassociateFromMasterAccount", "DisassociateFromAdministratorAccount", "StopMonitoringMembers", "DeleteMembers", "DisassociateMembers"}
	input.event.outcome == "success"
	input.aws.cloudtrail.eventSource == "guardduty.amazonaws.com"
}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"action": "UpdateDetector", "detector": object.get(input, ["aws", "cloudtrail", "requestParameters", "detectorId"], "")},
} if {
	input.event.dataset == "aws.cloudtrail"
	input.event.action == "UpdateDetector"
	input.event.outcome == "success"
	input.aws.cloudtrail.requestParameters.enable == false
}
