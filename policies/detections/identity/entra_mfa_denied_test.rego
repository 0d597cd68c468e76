package vigil.detections.identity.entra_mfa_denied_test

import data.vigil.detections.identity.entra_mfa_denied as det

# true positive: MFA denied
test_fires_mfa_denied if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "azure.signinlogs",
			"module": "azure",
			"action": "Sign-in activity",
			"outcome": "failure"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "carol@acme.example"
		},
		"source": {
			"ip": "198.18.0.30",
			"geo": {
				"country_iso_code": "US"
			}
		},
		"cloud": {
			"provider": "azure",
			"account": {
				"id": "acme"
			}
		},
		"azure": {
			"signinlogs": {
				"operationName": "Sign-in activity",
				"properties": {
					"userPrincipalName": "carol@acme.example",
					"ipAddress": "198.18.0.30",
					"status": {
						"errorCode": 500121
					},
					"location": {
						"countryOrRegion": "US"
					}
				}
			}
		}
	}
}

# true negative: wrong password
test_quiet_wrong_password if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "azure.signinlogs",
			"module": "azure",
			"action": "Sign-in activity",
			"outcome": "failure"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "carol@acme.example"
		},
		"source": {
			"ip": "198.18.0.30",
			"geo": {
				"country_iso_code": "US"
			}
		},
		"cloud": {
			"provider": "azure",
			"account": {
				"id": "acme"
			}
		},
		"azure": {
			"signinlogs": {
				"operationName": "Sign-in activity",
				"properties": {
					"userPrincipalName": "carol@acme.example",
					"ipAddress": "198.18.0.30",
					"status": {
						"errorCode": 50126
					},
					"location": {
						"countryOrRegion": "US"
					}
				}
			}
		}
	}
}
