# SharePoint / OneDrive file downloaded
package vigil.detections.o365.sharepoint_file_downloaded

metadata := {
	"id": "o365-sharepoint-file-downloaded",
	"title": "SharePoint / OneDrive file downloaded",
	"description": "A file was downloaded from SharePoint Online or OneDrive; correlation thresholds turn many in a short window into a mass-download finding.",
	"severity": "info",
	"confidence": 10,
	"risk_score": 5,
	"tactics": [
		"TA0009",
		"TA0010"
	],
	"techniques": [
		"T1530",
		"T1213.002"
	],
	"log_sources": [
		"o365.audit"
	],
	"false_positives": [
		"Normal work; sync clients."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1213/002/"
	],
	"signal": true
}

finding contains {"fields": {"object": object.get(input, ["o365", "audit", "ObjectId"], ""), "site": object.get(input, ["o365", "audit", "SiteUrl"], "")}} if {
	input.event.dataset == "o365.audit"
	input.event.action in {"FileDownloaded", "FileSyncDownloadedFull"}
}
