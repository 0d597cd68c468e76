package vigil.detections.o365.mailbox_fullaccess_grant_test

import data.vigil.detections.o365.mailbox_fullaccess_grant as det

# true positive: FullAccess to the CEO mailbox
test_fires_fullaccess_to_the_ceo_mailbox if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "Add-MailboxPermission",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "admin@acme.example"
		},
		"source": {
			"ip": "198.18.0.20"
		},
		"o365": {
			"audit": {
				"Operation": "Add-MailboxPermission",
				"UserId": "admin@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Identity",
						"Value": "ceo@acme.example"
					},
					{
						"Name": "User",
						"Value": "intern@acme.example"
					},
					{
						"Name": "AccessRights",
						"Value": "FullAccess"
					}
				]
			}
		}
	}
}

# true negative: ReadPermission only
test_quiet_readpermission_only if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "Add-MailboxPermission",
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
				"Operation": "Add-MailboxPermission",
				"UserId": "bob@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Identity",
						"Value": "ceo@acme.example"
					},
					{
						"Name": "User",
						"Value": "x@acme.example"
					},
					{
						"Name": "AccessRights",
						"Value": "ReadPermission"
					}
				]
			}
		}
	}
}
