# DNS lookup of a threat-intel domain
package vigil.detections.zeek.dns_bad_domain

import data.vigil.lib

metadata := {
	"id": "zeek-dns-threat-intel-domain",
	"title": "DNS lookup of a threat-intel domain",
	"description": "A host resolved a domain (or a sub-domain of one) on the threat-intel list.",
	"severity": "high",
	"confidence": 70,
	"risk_score": 70,
	"tactics": [
		"TA0011"
	],
	"techniques": [
		"T1071.004",
		"T1568"
	],
	"log_sources": [
		"zeek.dns"
	],
	"false_positives": [
		"Security tools and sandboxes resolving known-bad domains."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1071/004/"
	],
	"broad_index": "Every query name is checked against the threat-intelligence domains and their subdomains."
}

finding contains {"entities": {"ip": input.source.ip, "domain": input.dns.question.name}} if {
	input.event.dataset == "zeek.dns"
	lib.bad_domain(input.dns.question.name)
}
