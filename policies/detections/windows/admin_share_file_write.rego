# File written to an administrative share from the network
package vigil.detections.windows.admin_share_file_write

import data.vigil.lib

metadata := {
	"id": "windows-admin-share-file-write",
	"title": "File written to an administrative share from the network",
	"description": "A network share access check (5145) granting WriteData on C$ or ADMIN$ (any drive share ending in $ but IPC$) to a user account: a file copied onto the host over SMB, the usual way tools are staged for remote execution.",
	"severity": "high",
	"confidence": 65,
	"risk_score": 65,
	"tactics": [
		"TA0008"
	],
	"techniques": [
		"T1021.002",
		"T1570"
	],
	"log_sources": [
		"windows.security"
	],
	"false_positives": [
		"Software deployment and backup tools that copy through admin shares with user (not machine) accounts."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1021/002/",
		"https://attack.mitre.org/techniques/T1570/"
	]
}

finding contains {"fields": {"share": input.winlog.event_data.ShareName, "file": input.winlog.event_data.RelativeTargetName, "source_ip": object.get(input, ["source", "ip"], "")}} if {
	input.event.code == "5145"
	share := lib.ed("ShareName")
	endswith(share, "$")
	not endswith(share, "\\ipc$")
	writes
	not endswith(lib.ed("SubjectUserName"), "$")
	lib.ed("RelativeTargetName") != ""
}

# WriteData / AddFile (%%4417) in the access list, or the access mask 0x2 alone.
writes if contains(lib.ed("AccessList"), "%%4417")

writes if lib.ed("AccessMask") == "0x2"
