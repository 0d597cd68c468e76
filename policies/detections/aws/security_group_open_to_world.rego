# Security group opened to the internet on a sensitive port
package vigil.detections.aws.security_group_open_to_world

import data.vigil.lib

metadata := {
	"id": "aws-security-group-open-to-world",
	"title": "Security group opened to the internet on a sensitive port",
	"description": "An ingress rule allowing 0.0.0.0/0 or ::/0 was added on an administrative or database port (SSH, RDP, SMB, databases) or on all ports.",
	"severity": "high",
	"confidence": 75,
	"risk_score": 70,
	"tactics": [
		"TA0005",
		"TA0001"
	],
	"techniques": [
		"T1562.007",
		"T1133"
	],
	"log_sources": [
		"aws.cloudtrail"
	],
	"false_positives": [
		"Bastion hosts intentionally exposed for a short time.",
		"Test environments without sensitive data."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1562/007/"
	]
}

sensitive_ports := {22, 23, 445, 1433, 3306, 3389, 5432, 5900, 6379, 9200, 11211, 27017}

finding contains {
	"entities": {"user": input.user.name, "cloud_account": object.get(input, ["cloud", "account", "id"], "")},
	"fields": {"group_id": object.get(rp, "groupId", ""), "ports": concat(",", ports)},
} if {
	input.event.dataset == "aws.cloudtrail"
	input.event.action == "AuthorizeSecurityGroupIngress"
	rp := input.aws.cloudtrail.requestParameters
	ports := {p | some perm in rp.ipPermissions.items; world(perm); some p in exposed(perm)}
	count(ports) > 0
}

world(perm) if perm.ipRanges.items[_].cidrIp == "0.0.0.0/0"

world(perm) if perm.ipv6Ranges.items[_].cidrIpv6 == "::/0"

exposed(perm) := ["all"] if perm.ipProtocol == "-1"

exposed(perm) := [sprintf("%d", [p]) | some p in sensitive_ports; perm.fromPort <= p; p <= perm.toPort] if perm.ipProtocol != "-1"
