# HTTP with a scripting or scanner user agent
package vigil.detections.zeek.http_suspicious_user_agent

metadata := {
	"id": "zeek-http-suspicious-user-agent",
	"title": "HTTP with a scripting or scanner user agent",
	"description": "An HTTP request with a user agent of a scripting library or scanner (data.vigil.threat_intel.suspicious_user_agents) from an internal host.",
	"severity": "low",
	"confidence": 35,
	"risk_score": 35,
	"tactics": [
		"TA0011",
		"TA0043"
	],
	"techniques": [
		"T1071.001",
		"T1595.002"
	],
	"log_sources": [
		"zeek.http"
	],
	"false_positives": [
		"Developers and automation using curl or python-requests."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1071/001/"
	],
	"broad_index": "Every user agent is compared, case-insensitively, with the listed tool prefixes."
}

finding contains {"entities": {"ip": input.source.ip, "domain": object.get(input, ["url", "domain"], "")}, "fields": {"user_agent": input.user_agent.original}} if {
	input.event.dataset == "zeek.http"
	# One builtin call over the list, not a Rego iteration per prefix.
	strings.any_prefix_match(lower(input.user_agent.original), data.vigil.threat_intel.suspicious_user_agents)
}
