# S3 bucket policy or ACL grants public access
package vigil.detections.aws.s3_bucket_made_public

import data.vigil.lib

metadata := {
	"id": "aws-s3-bucket-made-public",
	"title": "S3 bucket policy or ACL grants public access",
	"description": "A bucket policy with an unconditioned Allow for Principal \"*\" or an ACL granting AllUsers/AuthenticatedUsers was applied, exposing the bucket.",
	"severity": "high",
	"confidence": 75,
	"risk_score": 75,
	"tactics": [
		"TA0010",
		"TA0005"
	],
	"techniques": [
		"T1530",
		"T1562.007"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Buckets that host public websites or downloads by design."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1530/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"bucket": object.get(rp, "bucketName", ""), "action": input.event.action},
} if {
	input.event.dataset == "aws.cloudtrail"
	input.event.action in {"PutBucketPolicy", "PutBucketAcl"}
	input.event.outcome == "success"
	rp := input.aws.cloudtrail.requestParameters
	public(rp)
}

as_array(x) := x if is_array(x)

as_array(x) := [x] if not is_array(x)

policy(rp) := json.unmarshal(rp.bucketPolicy) if is_string(rp.bucketPolicy)

policy(rp) := rp.bucketPolicy if is_object(rp.bucketPolicy)

public(rp) if {
	some s in as_array(policy(rp).Statement)
	s.Effect == "Allow"
	everyone(s.Principal)
	not s.Condition
}

public(rp) if rp["x-amz-acl"] in {"public-read", "public-read-write", "authenticated-read"}

public(rp) if {
	some g in as_array(rp.AccessControlPolicy.AccessControlList.Grant)
	uri := g.Grantee.URI
	endswith(uri, "/global/AllUsers")
}

public(rp) if {
	some g in as_array(rp.AccessControlPolicy.AccessControlList.Grant)
	endswith(g.Grantee.URI, "/global/AuthenticatedUsers")
}

everyone(p) if p == "*"

everyone(p) if p.AWS == "*"

everyone(p) if "*" in p.AWS
