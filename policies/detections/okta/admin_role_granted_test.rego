package vigil.detections.okta.admin_role_granted_test

import data.vigil.detections.okta.admin_role_granted as det

# true positive: super admin granted
test_fires_super_admin_granted if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.account.privilege.grant",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "admin@acme.example",
			"target": {
				"name": "eve@acme.example"
			}
		},
		"source": {
			"ip": "198.18.0.40"
		},
		"okta": {
			"eventType": "user.account.privilege.grant",
			"actor": {
				"alternateId": "admin@acme.example",
				"type": "User"
			},
			"outcome": {
				"result": "SUCCESS"
			},
			"client": {
				"ipAddress": "198.18.0.40"
			},
			"target": [
				{
					"alternateId": "eve@acme.example",
					"type": "User"
				}
			],
			"debugContext": {
				"debugData": {
					"privilegeGranted": "Super administrator"
				}
			}
		}
	}
}

# true negative: privilege revoked
test_quiet_privilege_revoked if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.account.privilege.revoke",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "admin@acme.example",
			"target": {
				"name": "eve@acme.example"
			}
		},
		"source": {
			"ip": "198.18.0.40"
		},
		"okta": {
			"eventType": "user.account.privilege.revoke",
			"actor": {
				"alternateId": "admin@acme.example",
				"type": "User"
			},
			"outcome": {
				"result": "SUCCESS"
			},
			"client": {
				"ipAddress": "198.18.0.40"
			},
			"target": [
				{
					"alternateId": "eve@acme.example",
					"type": "User"
				}
			]
		}
	}
}
