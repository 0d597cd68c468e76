# KMS key disabled or scheduled for deletion
package vigil.detections.aws.kms_key_disabled_or_deleted

metadata := {
	"id": "aws-kms-key-disabled-or-deleted",
	"title": "KMS key disabled or scheduled for deletion",
	"description": "A KMS key disabled (DisableKey) or scheduled for deletion (ScheduleKeyDeletion): everything encrypted under it becomes unreadable, for good once the deletion runs.",
	"severity": "high",
	"confidence": 60,
	"risk_score": 70,
	"tactics": [
		"TA0040"
	],
	"techniques": [
		"T1485",
		"T1486"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Key rotation clean-up by the platform team."
	],
	"references": [
		"https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html"
	]
}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"action": input.event.action, "key": object.get(input, ["aws", "cloudtrail", "requestParameters", "keyId"], "")},
} if {
	input.event.action in {"DisableKey", "ScheduleKeyDeletion"}
	input.event.dataset == "aws.cloudtrail"
	object.get(input, ["aws", "cloudtrail", "eventSource"], "kms.amazonaws.com") == "kms.amazonaws.com"
	object.get(input, ["event", "outcome"], "success") != "failure"
}
