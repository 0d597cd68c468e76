# Connection to a threat-intel IP
package vigil.detections.zeek.conn_threat_intel_ip

import data.vigil.lib

metadata := {
	"id": "zeek-connection-to-threat-intel-ip",
	"title": "Connection to a threat-intel IP",
	"description": "A connection to an address on the threat-intel list. A building block: correlation thresholds on repeated connections find beaconing.",
	"severity": "medium",
	"confidence": 50,
	"risk_score": 50,
	"tactics": [
		"TA0011"
	],
	"techniques": [
		"T1071",
		"T1571"
	],
	"log_sources": [
		"zeek.conn"
	],
	"false_positives": [
		"Stale intelligence for shared cloud addresses."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1071/"
	],
	"signal": true,
	"broad_index": "Every connection's destination is checked against the threat-intelligence addresses and networks."
}

finding contains {"entities": {"ip": [input.source.ip, input.destination.ip]}, "fields": {"destination": input.destination.ip, "reason": lib.threat_ip_reason(input.destination.ip), "port": sprintf("%v", [object.get(input, ["destination", "port"], 0)])}} if {
	input.event.dataset == "zeek.conn"
	lib.bad_ip(input.destination.ip)
}
