# FullAccess permission granted on a mailbox
package vigil.detections.o365.mailbox_fullaccess_grant

import data.vigil.lib

metadata := {
	"id": "o365-mailbox-fullaccess-granted",
	"title": "FullAccess permission granted on a mailbox",
	"description": "Add-MailboxPermission granted FullAccess on a mailbox to another principal, letting it read all mail.",
	"severity": "medium",
	"confidence": 60,
	"risk_score": 60,
	"tactics": [
		"TA0003",
		"TA0009"
	],
	"techniques": [
		"T1098.002"
	],
	"log_sources": [
		"o365.audit"
	],
	"false_positives": [
		"Helpdesk granting delegates or shared-mailbox access."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1098/002/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "mailbox": object.get(params, "Identity", "")},
	"fields": {"grantee": object.get(params, "User", ""), "rights": params.AccessRights},
} if {
	input.event.dataset == "o365.audit"
	input.event.action == "Add-MailboxPermission"
	params := {p.Name: p.Value | some p in input.o365.audit.Parameters}
	contains(lower(params.AccessRights), "fullaccess")
}
