# Successful sign-in from a watch-listed country
package vigil.detections.identity.signin_watchlisted_country

import data.vigil.lib

metadata := {
	"id": "signin-from-watchlisted-country",
	"title": "Successful sign-in from a watch-listed country",
	"description": "A user signed in successfully from a country on the tenant's watch list (data.vigil.watchlist.countries).",
	"severity": "medium",
	"confidence": 60,
	"risk_score": 60,
	"tactics": [
		"TA0001"
	],
	"techniques": [
		"T1078",
		"T1078.004"
	],
	"log_sources": [
		"azure.signinlogs",
		"okta.system",
		"o365.audit"
	],
	"false_positives": [
		"Travelling employees.",
		"VPN exit nodes geolocated abroad."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1078/"
	]
}

finding contains {"fields": {"country": country}} if {
	input.event.action in {"Sign-in activity", "UserLoggedIn", "user.session.start"}
	input.event.outcome == "success"
	input.event.dataset in {"azure.signinlogs", "o365.audit", "okta.system"}
	country := lib.watched_country
}
