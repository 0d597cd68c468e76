# Auto-confirmation policy: which candidate incidents are declared without
# waiting for an analyst. Input:
#   input.incident  the incident (event.Incident as JSON; severity by name)
#   input.alerts    its alerts (event.Alert as JSON), signals left out
# Output: data.vigil.escalate.confirm (bool) and .reasons (set of strings).
package vigil.escalate

default confirm := false

confirm if count(reasons) > 0

# Rules whose incidents are always declared: a completed attack chain.
confirm_rules := {
	"ransomware_sequence",
	"mailbox_takeover_sequence",
	"cloud_admin_takeover",
}

reasons contains "critical severity with confidence >= 80" if {
	input.incident.severity == "critical"
	input.incident.confidence >= 80
}

reasons contains msg if {
	input.incident.severity in {"high", "critical"}
	some a in input.alerts
	known_bad(a)
	msg := sprintf("%s severity with known-bad indicator (alert %s)", [input.incident.severity, a.id])
}

reasons contains msg if {
	input.incident.rule in confirm_rules
	msg := sprintf("rule %s confirms on sight", [input.incident.rule])
}

# An alert carries a threat-intelligence match.
known_bad(a) if a.fields["threat.indicator.matched"] == "true"

known_bad(a) if startswith(a.detection_id, "threat_intel.")
