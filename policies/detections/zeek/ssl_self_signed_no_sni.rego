# TLS to a self-signed server without a server name
package vigil.detections.zeek.ssl_self_signed_no_sni

metadata := {
	"id": "zeek-tls-self-signed-no-sni",
	"title": "TLS to a self-signed server without a server name",
	"description": "A TLS session without SNI whose server certificate Zeek found self-signed: the typical handshake of an implant talking to its command-and-control server by IP address with a generated certificate. Zeek logs validation once per certificate, so resumed sessions of the same channel do not repeat it.",
	"severity": "medium",
	"confidence": 50,
	"risk_score": 50,
	"tactics": [
		"TA0011"
	],
	"techniques": [
		"T1573.002",
		"T1071.001"
	],
	"log_sources": [
		"zeek.ssl"
	],
	"false_positives": [
		"Appliances with their factory certificate (printers, out-of-band controllers) reached by address."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1573/002/"
	]
}

finding contains {"entities": {"ip": input.source.ip}, "fields": {"destination": input.destination.ip, "subject": object.get(input, ["zeek", "ssl", "subject"], ""), "ja3": object.get(input, ["tls", "ja3"], "")}} if {
	input.zeek.ssl.validation_status in {"self signed certificate", "self signed certificate in certificate chain"}
	input.event.dataset == "zeek.ssl"
	object.get(input, ["tls", "server_name"], "") == ""
	object.get(input, ["zeek", "ssl", "server_name"], "") == ""
}
