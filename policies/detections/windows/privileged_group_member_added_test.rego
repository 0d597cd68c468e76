package vigil.detections.windows.privileged_group_member_added_test

import data.vigil.detections.windows.privileged_group_member_added as det

# true positive: added to Domain Admins
test_fires_added_to_domain_admins if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "4728"
		},
		"host": {
			"name": "dc01"
		},
		"user": {
			"name": "eve",
			"target": {
				"name": "svc-backup"
			}
		},
		"winlog": {
			"event_id": 4728,
			"channel": "Security",
			"event_data": {
				"TargetUserName": "Domain Admins",
				"MemberName": "CN=svc-backup,OU=Svc,DC=acme,DC=example"
			}
		}
	}
}

# true negative: added to a normal group
test_quiet_added_to_a_normal_group if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "windows.security",
			"module": "windows",
			"code": "4728"
		},
		"host": {
			"name": "dc01"
		},
		"user": {
			"name": "eve",
			"target": {
				"name": "bob"
			}
		},
		"winlog": {
			"event_id": 4728,
			"channel": "Security",
			"event_data": {
				"TargetUserName": "Marketing"
			}
		}
	}
}
