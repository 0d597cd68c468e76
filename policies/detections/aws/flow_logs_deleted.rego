# VPC flow logs deleted
package vigil.detections.aws.flow_logs_deleted

metadata := {
	"id": "aws-flow-logs-deleted",
	"title": "VPC flow logs deleted",
	"description": "VPC flow logs deleted (DeleteFlowLogs): the network record of a VPC stops, hiding exfiltration and lateral movement that follow.",
	"severity": "medium",
	"confidence": 60,
	"risk_score": 60,
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
		"VPCs being torn down by infrastructure as code."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1562/008/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"action": input.event.action},
} if {
	input.event.action == "DeleteFlowLogs"
	input.event.dataset == "aws.cloudtrail"
	object.get(input, ["event", "outcome"], "success") != "failure"
}
