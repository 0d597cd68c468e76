package vigil.detections.identity.signin_watchlisted_country_test

import data.vigil.detections.identity.signin_watchlisted_country as det

# true positive: Entra sign-in from KP
test_fires_entra_sign_in_from_kp if {
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
			"ip": "198.18.0.30",
			"geo": {
				"country_iso_code": "KP"
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
						"countryOrRegion": "KP"
					}
				}
			}
		}
	}
}

# true positive: Okta sign-in from Iran by name
test_fires_okta_sign_in_from_iran_by_name if {
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
			"ip": "198.18.0.40",
			"geo": {
				"country_name": "Iran"
			}
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
				"ipAddress": "198.18.0.40"
			}
		}
	}
}

# true positive: tenant watch list adds Brazil
test_fires_tenant_watch_list_adds_brazil if {
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
			"ip": "198.18.0.30",
			"geo": {
				"country_iso_code": "BR"
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
						"countryOrRegion": "BR"
					}
				}
			}
		}
	}
}

# true negative: sign-in from the US
test_quiet_sign_in_from_the_us if {
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

# true negative: Brazil is not watched for other tenants
test_quiet_brazil_is_not_watched_for_other_tenants if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "azure.signinlogs",
			"module": "azure",
			"action": "Sign-in activity",
			"outcome": "success"
		},
		"organization": {
			"id": "globex"
		},
		"user": {
			"name": "carol@acme.example"
		},
		"source": {
			"ip": "198.18.0.30",
			"geo": {
				"country_iso_code": "BR"
			}
		},
		"cloud": {
			"provider": "azure",
			"account": {
				"id": "globex"
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
						"countryOrRegion": "BR"
					}
				}
			}
		}
	}
}

# true negative: failed sign-in from KP
test_quiet_failed_sign_in_from_kp if {
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
				"country_iso_code": "KP"
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
						"countryOrRegion": "KP"
					}
				}
			}
		}
	}
}
