# Certificate and private key exported with certutil
package vigil.detections.windows.certutil_pfx_export

import data.vigil.lib

metadata := {
	"id": "windows-certutil-pfx-export",
	"title": "Certificate and private key exported with certutil",
	"description": "certutil.exe -exportPFX writes a certificate with its private key to a file: with it an intruder can authenticate as the certificate's subject or sign as it, and the theft survives password resets.",
	"severity": "medium",
	"confidence": 65,
	"risk_score": 60,
	"tactics": [
		"TA0006"
	],
	"techniques": [
		"T1649",
		"T1552.004"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Administrators moving a certificate to another server; the export should be on a change record."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1649/",
		"https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_certutil_export_pfx.yml"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"CERTUTIL.EXE", "CERTUTIL.exe", "Certutil.EXE", "Certutil.exe", "certutil.EXE", "certutil.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	regex.match(`[-/–]exportpfx\s`, cmd)
}
