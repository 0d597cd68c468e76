# RDS database made public, deletion protection or activity stream removed
package vigil.detections.aws.rds_protection_weakened

metadata := {
	"id": "aws-rds-protection-weakened",
	"title": "RDS database made public, deletion protection or activity stream removed",
	"description": "An RDS instance or cluster modified to be publicly accessible or to drop deletion protection, or its database activity stream stopped: exposure of the data, the step before destroying it, or blinding its audit trail.",
	"severity": "high",
	"confidence": 65,
	"risk_score": 70,
	"tactics": [
		"TA0005",
		"TA0040"
	],
	"techniques": [
		"T1562",
		"T1562.008",
		"T1490"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Databases being retired (deletion protection off) or development databases opened on purpose."
	],
	"references": [
		"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html"
	]
}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"action": input.event.action, "change": change, "database": database},
	"severity": object.get({"made public": "critical"}, change, "high"),
} if {
	input.event.action in {"ModifyDBInstance", "ModifyDBCluster", "StopActivityStream"}
	input.event.dataset == "aws.cloudtrail"
	object.get(input, ["event", "outcome"], "success") != "failure"
	some change in changes
	database := db_name
}

params := object.get(input, ["aws", "cloudtrail", "requestParameters"], {})

db_name := object.get(params, "dBInstanceIdentifier", object.get(params, "dBClusterIdentifier", object.get(params, "resourceArn", "")))

changes contains "made public" if {
	input.event.action in {"ModifyDBInstance", "ModifyDBCluster"}
	params.publiclyAccessible == true
}

changes contains "deletion protection disabled" if {
	input.event.action in {"ModifyDBInstance", "ModifyDBCluster"}
	params.deletionProtection == false
}

changes contains "activity stream stopped" if input.event.action == "StopActivityStream"
