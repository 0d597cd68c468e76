package vigil.detections.o365.sharepoint_file_downloaded_test

import data.vigil.detections.o365.sharepoint_file_downloaded as det

# true positive: file downloaded
test_fires_file_downloaded if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "FileDownloaded",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "bob@acme.example"
		},
		"source": {
			"ip": "198.18.0.20"
		},
		"o365": {
			"audit": {
				"Operation": "FileDownloaded",
				"UserId": "bob@acme.example",
				"Workload": "SharePoint",
				"ClientIP": "198.18.0.20",
				"ObjectId": "https://acme.sharepoint.com/sites/hr/Shared Documents/salaries.xlsx",
				"SiteUrl": "https://acme.sharepoint.com/sites/hr/"
			}
		}
	}
}

# true negative: file viewed
test_quiet_file_viewed if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "FileAccessed",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "bob@acme.example"
		},
		"source": {
			"ip": "198.18.0.20"
		},
		"o365": {
			"audit": {
				"Operation": "FileAccessed",
				"UserId": "bob@acme.example",
				"Workload": "SharePoint",
				"ClientIP": "198.18.0.20"
			}
		}
	}
}
