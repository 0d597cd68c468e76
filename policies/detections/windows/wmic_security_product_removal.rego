# Security product uninstalled or stopped with WMIC
package vigil.detections.windows.wmic_security_product_removal

import data.vigil.lib

metadata := {
	"id": "windows-wmic-security-product-removal",
	"title": "Security product uninstalled or stopped with WMIC",
	"description": "wmic.exe uninstalling a product, or deleting, terminating, stopping or disabling a process or service, whose name is an antivirus or EDR product: intruders remove endpoint protection before they act.",
	"severity": "high",
	"confidence": 75,
	"risk_score": 75,
	"tactics": [
		"TA0005"
	],
	"techniques": [
		"T1562.001",
		"T1047"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security"
	],
	"false_positives": [
		"Administrators replacing one endpoint product with another through WMIC scripts; confirm with the change record."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1562/001/",
		"https://github.com/SigmaHQ/sigma/blob/master/rules/windows/process_creation/proc_creation_win_wmic_uninstall_security_products.yml"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"WMIC.EXE", "WMIC.exe", "Wmic.EXE", "Wmic.exe", "wmic.EXE", "wmic.exe"}
	input.event.code in {"1", "4688"}
	cmd := lib.cmdline
	some verb in ["uninstall", " delete", "call terminate", "call stopservice", "call changestartmode"]
	contains(cmd, verb)
	some product in data.vigil.security_products.names
	contains(cmd, product)
}
