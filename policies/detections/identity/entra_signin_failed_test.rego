package vigil.detections.identity.entra_signin_failed_test

import data.vigil.detections.identity.entra_signin_failed as det

# true positive: Entra password failure
test_fires_entra_password_failure if {
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

# true positive: O365 UserLoginFailed
test_fires_o365_userloginfailed if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "o365.audit",
			"module": "o365",
			"action": "UserLoginFailed",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "carol@acme.example"
		},
		"source": {
			"ip": "198.18.0.20"
		},
		"o365": {
			"audit": {
				"Operation": "UserLoginFailed",
				"UserId": "carol@acme.example",
				"Workload": "AzureActiveDirectory",
				"ClientIP": "198.18.0.20"
			}
		}
	}
}

# true negative: successful sign-in
test_quiet_successful_sign_in if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "azure.signinlogs",
			"module": "azure",
			"action": "Sign-in activity",
			"outcome": "success"
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
						"errorCode": 0
					},
					"location": {
						"countryOrRegion": "US"
					}
				}
			}
		}
	}
}
