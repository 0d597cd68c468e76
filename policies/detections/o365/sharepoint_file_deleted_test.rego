package vigil.detections.o365.sharepoint_file_deleted_test

import data.vigil.detections.o365.sharepoint_file_deleted as det

# true positive: file deleted
test_fires_file_deleted if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "FileDeleted",
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
				"Operation": "FileDeleted",
				"UserId": "bob@acme.example",
				"Workload": "OneDrive",
				"ClientIP": "198.18.0.20",
				"ObjectId": "https://acme-my.sharepoint.com/personal/bob/Documents/a.docx"
			}
		}
	}
}

# true negative: file uploaded
test_quiet_file_uploaded if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "FileUploaded",
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
				"Operation": "FileUploaded",
				"UserId": "bob@acme.example",
				"Workload": "OneDrive",
				"ClientIP": "198.18.0.20"
			}
		}
	}
}
