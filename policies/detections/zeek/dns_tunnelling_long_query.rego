# Possible DNS tunnelling: very long query name
package vigil.detections.zeek.dns_tunnelling_long_query

metadata := {
	"id": "zeek-dns-tunnelling-long-query",
	"title": "Possible DNS tunnelling: very long query name",
	"description": "A DNS query name longer than 100 characters or with a label over 50 characters, typical of data encoded into DNS (iodine, dnscat2, DNS exfiltration).",
	"severity": "medium",
	"confidence": 50,
	"risk_score": 55,
	"tactics": [
		"TA0011",
		"TA0010"
	],
	"techniques": [
		"T1071.004",
		"T1048.003"
	],
	"log_sources": [
		"zeek.dns"
	],
	"false_positives": [
		"CDN and anti-virus reputation lookups with long hashed labels (add their domains to an exclusion)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1071/004/"
	],
	"broad_index": "The length of the query name is the signal; any query may carry it."
}

finding contains {"entities": {"ip": input.source.ip, "domain": registered}, "fields": {"query_length": sprintf("%d", [count(q)]), "query_type": object.get(input, ["dns", "question", "type"], "")}} if {
	input.event.dataset == "zeek.dns"
	q := input.dns.question.name
	long_name(q)
	labels := split(q, ".")
	registered := concat(".", array.slice(labels, count(labels) - 2, count(labels)))
}

long_name(q) if count(q) > 100

long_name(q) if {
	some label in split(q, ".")
	count(label) > 50
}
