package vigil.detections.identity.signin_threat_intel_ip_test

import data.vigil.detections.identity.signin_threat_intel_ip as det

# true positive: Entra sign-in from a C2 address
test_fires_entra_sign_in_from_a_c2_address if {
	count(det.finding) == 1 with input as {
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
			"ip": "192.0.2.66",
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
					"ipAddress": "192.0.2.66",
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

# true positive: Okta sign-in from Tor
test_fires_okta_sign_in_from_tor if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "okta.system",
			"module": "okta",
			"action": "user.session.start",
			"outcome": "success"
		},
		"organization": {
			"id": "acme"
		},
		"user": {
			"name": "dave@acme.example"
		},
		"source": {
			"ip": "185.220.100.17"
		},
		"okta": {
			"eventType": "user.session.start",
			"actor": {
				"alternateId": "dave@acme.example",
				"type": "User"
			},
			"outcome": {
				"result": "SUCCESS"
			},
			"client": {
				"ipAddress": "185.220.100.17"
			}
		}
	}
}

# true positive: AWS console from a listed network
test_fires_aws_console_from_a_listed_network if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "ConsoleLogin",
			"outcome": "success"
		},
		"user": {
			"name": "alice"
		},
		"source": {
			"ip": "192.0.2.139"
		},
		"cloud": {
			"provider": "aws",
			"account": {
				"id": "111122223333"
			}
		},
		"aws": {
			"cloudtrail": {
				"eventName": "ConsoleLogin",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "alice",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "192.0.2.139",
				"recipientAccountId": "111122223333"
			}
		}
	}
}

# true negative: sign-in from a clean address
test_quiet_sign_in_from_a_clean_address if {
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
			"ip": "8.8.4.4",
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
					"ipAddress": "8.8.4.4",
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

# true negative: failed sign-in from a C2 address
test_quiet_failed_sign_in_from_a_c2_address if {
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
			"ip": "192.0.2.66",
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
					"ipAddress": "192.0.2.66",
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
