# Executable downloaded over HTTP from a bare IP address
package vigil.detections.zeek.http_executable_from_ip

metadata := {
	"id": "zeek-http-executable-from-ip",
	"title": "Executable downloaded over HTTP from a bare IP address",
	"description": "An HTTP response carrying a Windows executable (application/x-dosexec) to a request whose Host is an IP address, not a name: how stagers fetch their implant from a command-and-control server. Software updates come from named hosts.",
	"severity": "high",
	"confidence": 70,
	"risk_score": 70,
	"tactics": [
		"TA0011"
	],
	"techniques": [
		"T1105",
		"T1071.001"
	],
	"log_sources": [
		"zeek.http"
	],
	"false_positives": [
		"Internal tooling served from a web server addressed by IP (deployment shares, lab equipment)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1105/"
	],
	"broad_index": "The executable shows only as one of the response's MIME types, a list the rule index cannot key on."
}

finding contains {"entities": {"ip": input.source.ip}, "fields": {"destination": input.destination.ip, "host": host, "uri": object.get(input, ["zeek", "http", "uri"], "")}} if {
	"application/x-dosexec" in input.zeek.http.resp_mime_types
	input.event.dataset == "zeek.http"
	host := object.get(input, ["zeek", "http", "host"], "")
	regex.match(`^(\d{1,3}\.){3}\d{1,3}(:\d+)?$|^\[?[0-9a-fA-F:]+\]?(:\d+)?$`, host)
}
