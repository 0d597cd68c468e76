# TLS connection to a threat-intel server name
package vigil.detections.zeek.ssl_bad_sni

import data.vigil.lib

metadata := {
	"id": "zeek-tls-threat-intel-sni",
	"title": "TLS connection to a threat-intel server name",
	"description": "A TLS handshake whose SNI is a domain (or sub-domain) on the threat-intel list.",
	"severity": "high",
	"confidence": 75,
	"risk_score": 75,
	"tactics": [
		"TA0011"
	],
	"techniques": [
		"T1071.001",
		"T1573.002"
	],
	"log_sources": [
		"zeek.ssl"
	],
	"false_positives": [
		"Sandboxes and security tools."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1573/002/"
	],
	"broad_index": "Every server name is checked against the threat-intelligence domains and their subdomains."
}

finding contains {"entities": {"ip": input.source.ip, "domain": input.tls.server_name}} if {
	input.event.dataset == "zeek.ssl"
	lib.bad_domain(input.tls.server_name)
}
