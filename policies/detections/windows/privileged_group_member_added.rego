# Member added to a privileged group
package vigil.detections.windows.privileged_group_member_added

import data.vigil.lib

metadata := {
	"id": "windows-privileged-group-member-added",
	"title": "Member added to a privileged group",
	"description": "An account was added to a privileged security group (4728 global, 4732 local, 4756 universal) listed in data.vigil.allow.privileged_groups.",
	"severity": "high",
	"confidence": 70,
	"risk_score": 80,
	"tactics": [
		"TA0004",
		"TA0003"
	],
	"techniques": [
		"T1098",
		"T1078.002"
	],
	"log_sources": [
		"windows.security"
	],
	"false_positives": [
		"Approved administrative changes."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1098/"
	]
}

finding contains {
	"entities": {"host": input.host.name, "user": [input.user.name, object.get(input, ["user", "target", "name"], "")]},
	"fields": {"group": group, "member": object.get(input, ["user", "target", "name"], lib.ed("MemberName"))},
} if {
	input.event.code in {"4728", "4732", "4756"}
	input.event.dataset == "windows.security"
	group := lib.ed("TargetUserName")
	lib.tenant_lookup(data.vigil.allow.privileged_groups, group)
}
