# DNS TXT query
package vigil.detections.zeek.dns_txt_query

metadata := {
	"id": "zeek-dns-txt-query",
	"title": "DNS TXT query",
	"description": "A TXT lookup. A building block: correlation thresholds on TXT volume per source find DNS tunnelling and C2 over DNS.",
	"severity": "info",
	"confidence": 10,
	"risk_score": 5,
	"tactics": [
		"TA0011"
	],
	"techniques": [
		"T1071.004"
	],
	"log_sources": [
		"zeek.dns"
	],
	"false_positives": [
		"SPF/DKIM/DMARC lookups by mail servers; domain verification."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1071/004/"
	],
	"signal": true
}

finding contains {"entities": {"ip": input.source.ip}, "fields": {"query": input.dns.question.name}} if {
	input.event.dataset == "zeek.dns"
	input.dns.question.type == "TXT"
}
