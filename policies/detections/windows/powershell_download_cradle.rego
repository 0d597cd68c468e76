# PowerShell download cradle (IEX + download)
package vigil.detections.windows.powershell_download_cradle

import data.vigil.lib

metadata := {
	"id": "windows-powershell-download-cradle",
	"title": "PowerShell download cradle (IEX + download)",
	"description": "PowerShell downloads and immediately executes code (Invoke-Expression with DownloadString, Invoke-WebRequest, ...), in a command line or a logged script block (4104).",
	"severity": "high",
	"confidence": 75,
	"risk_score": 75,
	"tactics": [
		"TA0002",
		"TA0011"
	],
	"techniques": [
		"T1059.001",
		"T1105"
	],
	"log_sources": [
		"windows.sysmon",
		"windows.security",
		"windows.powershell"
	],
	"false_positives": [
		"Installers of developer tools that use iex/irm one-liners (chocolatey, scoop)."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1059/001/"
	]
}

finding contains {"fields": {"command_line": input.process.command_line}} if {
	input.process.name in {"powershell.exe", "POWERSHELL.EXE", "Powershell.exe", "POWERSHELL.exe", "pwsh.exe", "PWSH.EXE", "Pwsh.exe", "PWSH.exe"}
	input.event.code in {"1", "4688"}
	cradle(lib.cmdline)
}

finding contains {"fields": {"script_block": substring(lib.event_data.ScriptBlockText, 0, 512)}} if {
	input.event.code == "4104"
	cradle(lib.ed("ScriptBlockText"))
}

cradle(s) if {
	some x in ["iex", "invoke-expression"]
	contains(s, x)
	some y in ["downloadstring", "downloadfile", "downloaddata", "invoke-webrequest", "iwr ", "invoke-restmethod", "irm ", "net.webclient", "start-bitstransfer"]
	contains(s, y)
}
