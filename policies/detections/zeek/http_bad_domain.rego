# HTTP request to a threat-intel domain
package vigil.detections.zeek.http_bad_domain

import data.vigil.lib

metadata := {
	"id": "zeek-http-threat-intel-domain",
	"title": "HTTP request to a threat-intel domain",
	"description": "An HTTP request whose Host is a domain (or sub-domain) on the threat-intel list.",
	"severity": "high",
	"confidence": 75,
	"risk_score": 75,
	"tactics": [
		"TA0011"
	],
	"techniques": [
		"T1071.001",
		"T1105"
	],
	"log_sources": [
		"zeek.http"
	],
	"false_positives": [
		"Sandboxes and security tools."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1071/001/"
	],
	"broad_index": "Every request's host is checked against the threat-intelligence domains and their subdomains."
}

finding contains {"entities": {"ip": input.source.ip, "domain": input.url.domain}, "fields": {"url": object.get(input, ["url", "full"], "")}} if {
	input.event.dataset == "zeek.http"
	lib.bad_domain(input.url.domain)
}
