# Mailbox forwarding to an external SMTP address
package vigil.detections.o365.mailbox_smtp_forwarding

import data.vigil.lib

metadata := {
	"id": "o365-mailbox-smtp-forwarding",
	"title": "Mailbox forwarding to an external SMTP address",
	"description": "Set-Mailbox set ForwardingSmtpAddress (or ForwardingAddress) to a domain outside the tenant's internal and allowed domains, forwarding all mail.",
	"severity": "high",
	"confidence": 75,
	"risk_score": 75,
	"tactics": [
		"TA0009",
		"TA0010"
	],
	"techniques": [
		"T1114.003"
	],
	"log_sources": [
		"o365.audit"
	],
	"false_positives": [
		"Administrators configuring forwarding for departed employees to an allowed partner."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1114/003/"
	]
}

finding contains {
	"entities": {"user": input.user.name, "mailbox": object.get(params, "Identity", input.user.name)},
	"fields": {"forwarding": fwd},
} if {
	input.event.dataset == "o365.audit"
	input.event.action == "Set-Mailbox"
	params := {p.Name: p.Value | some p in input.o365.audit.Parameters}
	some field in ["ForwardingSmtpAddress", "ForwardingAddress"]
	fwd := params[field]
	contains(fwd, "@")
	domain := lower(regex.replace(split(fwd, "@")[1], `[>\]\s].*$`, ""))
	not lib.tenant_lookup(data.vigil.allow.internal_domains, domain)
	not lib.tenant_lookup(data.vigil.allow.forwarding_domains, domain)
}
