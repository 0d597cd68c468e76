# S3 bucket encryption, versioning or MFA delete removed
package vigil.detections.aws.s3_bucket_protection_weakened

metadata := {
	"id": "aws-s3-bucket-protection-weakened",
	"title": "S3 bucket encryption, versioning or MFA delete removed",
	"description": "A bucket's default encryption deleted, its versioning suspended, or MFA delete turned off: the protections that keep objects recoverable and encrypted, removed before mass deletion, overwrite or ransom.",
	"severity": "medium",
	"confidence": 60,
	"risk_score": 60,
	"tactics": [
		"TA0005",
		"TA0040"
	],
	"techniques": [
		"T1562",
		"T1490",
		"T1485"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Buckets being decommissioned; test buckets in sandbox accounts."
	],
	"references": [
		"https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
		"https://attack.mitre.org/techniques/T1490/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"action": input.event.action, "change": change, "bucket": object.get(input, ["aws", "cloudtrail", "requestParameters", "bucketName"], "")},
} if {
	input.event.action in {"DeleteBucketEncryption", "PutBucketVersioning"}
	input.event.dataset == "aws.cloudtrail"
	object.get(input, ["aws", "cloudtrail", "eventSource"], "") == "s3.amazonaws.com"
	object.get(input, ["event", "outcome"], "success") != "failure"
	some change in changes
}

changes contains "encryption deleted" if input.event.action == "DeleteBucketEncryption"

changes contains sprintf("versioning %s", [lower(status)]) if {
	input.event.action == "PutBucketVersioning"
	status := object.get(input, ["aws", "cloudtrail", "requestParameters", "VersioningConfiguration", "Status"], "")
	lower(status) in {"suspended", "disabled"}
}

changes contains "mfa delete disabled" if {
	input.event.action == "PutBucketVersioning"
	lower(object.get(input, ["aws", "cloudtrail", "requestParameters", "VersioningConfiguration", "MfaDelete"], "")) == "disabled"
}
