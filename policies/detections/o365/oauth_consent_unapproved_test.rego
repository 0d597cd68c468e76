package vigil.detections.o365.oauth_consent_unapproved_test

import data.vigil.detections.o365.oauth_consent_unapproved as det

# true positive: consent to unknown app
test_fires_consent_to_unknown_app if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "Consent to application.",
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
				"Operation": "Consent to application.",
				"UserId": "bob@acme.example",
				"Workload": "AzureActiveDirectory",
				"ClientIP": "198.18.0.20",
				"ObjectId": "Mail Backup Pro"
			}
		}
	}
}

# true negative: consent to approved app
test_quiet_consent_to_approved_app if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "Consent to application.",
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
				"Operation": "Consent to application.",
				"UserId": "bob@acme.example",
				"Workload": "AzureActiveDirectory",
				"ClientIP": "198.18.0.20",
				"ObjectId": "Acme Expenses"
			}
		}
	}
}
