# SharePoint / OneDrive file deleted
package vigil.detections.o365.sharepoint_file_deleted

metadata := {
	"id": "o365-sharepoint-file-deleted",
	"title": "SharePoint / OneDrive file deleted",
	"description": "A file was deleted or recycled in SharePoint Online or OneDrive; correlation thresholds turn many into a mass-deletion finding (destruction or ransomware).",
	"severity": "info",
	"confidence": 10,
	"risk_score": 5,
	"tactics": [
		"TA0040"
	],
	"techniques": [
		"T1485"
	],
	"log_sources": [
		"o365.audit"
	],
	"false_positives": [
		"Normal clean-up."
	],
	"references": [
		"https://attack.mitre.org/techniques/T1485/"
	],
	"signal": true
}

finding contains {"fields": {"object": object.get(input, ["o365", "audit", "ObjectId"], "")}} if {
	input.event.dataset == "o365.audit"
	input.event.action in {"FileDeleted", "FileRecycled", "FileDeletedFirstStageRecycleBin", "FileDeletedSecondStageRecycleBin", "FileVersionsAllDeleted"}
}
