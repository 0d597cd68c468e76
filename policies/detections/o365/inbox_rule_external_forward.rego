# Inbox rule forwards or redirects mail to an external address
package vigil.detections.o365.inbox_rule_external_forward

import data.vigil.lib

metadata := {
	"id": "o365-inbox-rule-external-forward",
	"title": "Inbox rule forwards or redirects mail to an external address",
	"description": "New-InboxRule or Set-InboxRule with ForwardTo, RedirectTo or ForwardAsAttachmentTo pointing outside the tenant's internal and allowed domains, a classic step after mailbox compromise (BEC).",
	"severity": "high",
	"confidence": 75,
	"risk_score": 75,
	"tactics": [
		"TA0009",
		"TA0010"
	],
	"techniques": [
		"T1114.003",
		"T1564.008"
	],
	"log_sources": [
		"o365.audit"
	],
	"false_positives": [
		"Users forwarding to personal mailboxes (against policy, still worth a look).",
		"Partners missing from data.vigil.allow.forwarding_domains."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1114/003/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "mailbox": mailbox},
	"fields": {"rule": object.get(params, "Name", ""), "recipients": concat(";", sort(external))},
} if {
	input.event.dataset == "o365.audit"
	input.event.action in {"New-InboxRule", "Set-InboxRule"}
	params := {p.Name: p.Value | some p in input.o365.audit.Parameters}
	external := {addr |
		some field in ["ForwardTo", "RedirectTo", "ForwardAsAttachmentTo"]
		some addr in regex.find_n(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`, params[field], -1)
		not trusted(addr)
	}
	count(external) > 0
	mailbox := object.get(params, "Mailbox", object.get(input, ["o365", "audit", "ObjectId"], input.user.name))
}

trusted(addr) if {
	domain := lower(split(addr, "@")[1])
	lib.tenant_lookup(data.vigil.allow.internal_domains, domain)
}

trusted(addr) if {
	domain := lower(split(addr, "@")[1])
	lib.tenant_lookup(data.vigil.allow.forwarding_domains, domain)
}
