package vigil.detections.o365.mailbox_smtp_forwarding_test

import data.vigil.detections.o365.mailbox_smtp_forwarding as det

# true positive: forwarding to an external address
test_fires_forwarding_to_an_external_address if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "Set-Mailbox",
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
				"Operation": "Set-Mailbox",
				"UserId": "admin@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Identity",
						"Value": "cfo@acme.example"
					},
					{
						"Name": "ForwardingSmtpAddress",
						"Value": "smtp:cfo.archive@proton.example"
					},
					{
						"Name": "DeliverToMailboxAndForward",
						"Value": "True"
					}
				]
			}
		}
	}
}

# true negative: forwarding removed
test_quiet_forwarding_removed if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "Set-Mailbox",
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
				"Operation": "Set-Mailbox",
				"UserId": "bob@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Identity",
						"Value": "cfo@acme.example"
					},
					{
						"Name": "ForwardingSmtpAddress",
						"Value": ""
					}
				]
			}
		}
	}
}

# true negative: internal forwarding
test_quiet_internal_forwarding if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "Set-Mailbox",
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
				"Operation": "Set-Mailbox",
				"UserId": "bob@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Identity",
						"Value": "cfo@acme.example"
					},
					{
						"Name": "ForwardingSmtpAddress",
						"Value": "smtp:assistant@acme.example"
					}
				]
			}
		}
	}
}
