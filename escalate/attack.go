package escalate

import (
	"strings"
)

// technique describes a MITRE ATT&CK technique for drafts and reports:
// its name, the tactic it usually serves and what a customer should do.
type technique struct {
	name    string
	actions []string
}

// techniques is keyed by base technique id (sub-techniques fall back to
// their parent).
var techniques = map[string]technique{
	"T1078": {"Valid Accounts", []string{"Reset the credentials of the affected accounts and revoke their active sessions and tokens.", "Require multi-factor authentication for these accounts."}},
	"T1110": {"Brute Force", []string{"Reset the passwords of the targeted accounts.", "Require multi-factor authentication and review sign-in lockout policies."}},
	"T1114": {"Email Collection", []string{"Remove mailbox forwarding and inbox rules you did not create.", "Review mailbox delegate permissions."}},
	"T1564": {"Hide Artifacts", []string{"Review and remove hidden or unfamiliar inbox rules and mailbox settings."}},
	"T1098": {"Account Manipulation", []string{"Review role assignments and remove credentials, keys or permissions added to the affected accounts."}},
	"T1136": {"Create Account", []string{"Remove accounts you did not create and review who can create accounts."}},
	"T1528": {"Steal Application Access Token", []string{"Revoke OAuth grants to unfamiliar applications and rotate application secrets."}},
	"T1552": {"Unsecured Credentials", []string{"Rotate the exposed access keys, secrets and passwords."}},
	"T1555": {"Credentials from Password Stores", []string{"Rotate the credentials stored on the affected hosts."}},
	"T1003": {"OS Credential Dumping", []string{"Reset the passwords of accounts that signed in to the affected hosts, including service accounts."}},
	"T1566": {"Phishing", []string{"Delete the phishing messages from all mailboxes and block the sender.", "Remind users how to report suspicious mail."}},
	"T1059": {"Command and Scripting Interpreter", []string{"Isolate and reimage the affected hosts."}},
	"T1021": {"Remote Services", []string{"Restrict remote access to the affected hosts to approved administrators."}},
	"T1486": {"Data Encrypted for Impact", []string{"Restore affected systems from known-good backups and verify backup integrity."}},
	"T1490": {"Inhibit System Recovery", []string{"Verify that backups and shadow copies are intact and protected."}},
	"T1562": {"Impair Defenses", []string{"Re-enable logging and security tooling that was disabled and review who can change it."}},
	"T1530": {"Data from Cloud Storage", []string{"Review access to the affected storage buckets and remove public or unfamiliar access."}},
	"T1537": {"Transfer Data to Cloud Account", []string{"Review snapshot and data sharing with external accounts and revoke it."}},
	"T1567": {"Exfiltration Over Web Service", []string{"Review what data left your environment and assess notification duties to your own users."}},
	"T1048": {"Exfiltration Over Alternative Protocol", []string{"Block the destinations involved and review what data left your environment."}},
	"T1190": {"Exploit Public-Facing Application", []string{"Patch the exposed application and review its logs for further access."}},
	"T1133": {"External Remote Services", []string{"Restrict external remote access and require multi-factor authentication for it."}},
	"T1621": {"Multi-Factor Authentication Request Generation", []string{"Reset the credentials of the targeted accounts and prefer phishing-resistant MFA."}},
}

func lookupTechnique(id string) (technique, bool) {
	base, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(id)), ".")
	t, ok := techniques[base]
	return t, ok
}

// techniqueLabel is "T1078 Valid Accounts" or just the id.
func techniqueLabel(id string) string {
	if t, ok := lookupTechnique(id); ok {
		return id + " " + t.name
	}
	return id
}
