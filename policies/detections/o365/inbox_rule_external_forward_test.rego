package vigil.detections.o365.inbox_rule_external_forward_test

import data.vigil.detections.o365.inbox_rule_external_forward as det

# true positive: forward to gmail
test_fires_forward_to_gmail if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "New-InboxRule",
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
				"Operation": "New-InboxRule",
				"UserId": "bob@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Name",
						"Value": "x"
					},
					{
						"Name": "ForwardTo",
						"Value": "bob.backup@gmail.example"
					},
					{
						"Name": "DeleteMessage",
						"Value": "True"
					}
				]
			}
		}
	}
}

# true positive: redirect set on existing rule
test_fires_redirect_set_on_existing_rule if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "Set-InboxRule",
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
				"Operation": "Set-InboxRule",
				"UserId": "bob@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Name",
						"Value": "invoices"
					},
					{
						"Name": "RedirectTo",
						"Value": "\"Pay\" [SMTP:pay@evil-updates.example]"
					}
				]
			}
		}
	}
}

# true negative: forward to a colleague
test_quiet_forward_to_a_colleague if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "New-InboxRule",
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
				"Operation": "New-InboxRule",
				"UserId": "bob@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Name",
						"Value": "x"
					},
					{
						"Name": "ForwardTo",
						"Value": "carol@acme.example"
					}
				]
			}
		}
	}
}

# true negative: forward to an allowed partner
test_quiet_forward_to_an_allowed_partner if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "New-InboxRule",
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
				"Operation": "New-InboxRule",
				"UserId": "bob@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Name",
						"Value": "x"
					},
					{
						"Name": "ForwardTo",
						"Value": "desk@acme-partner.example"
					}
				]
			}
		}
	}
}

# true negative: move-to-folder rule
test_quiet_move_to_folder_rule if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "New-InboxRule",
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
				"Operation": "New-InboxRule",
				"UserId": "bob@acme.example",
				"Workload": "Exchange",
				"ClientIP": "198.18.0.20",
				"Parameters": [
					{
						"Name": "Name",
						"Value": "news"
					},
					{
						"Name": "MoveToFolder",
						"Value": "News"
					}
				]
			}
		}
	}
}
