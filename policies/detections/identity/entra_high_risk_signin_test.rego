package vigil.detections.identity.entra_high_risk_signin_test

import data.vigil.detections.identity.entra_high_risk_signin as det

# true positive: high risk during sign-in, at risk
test_fires_high_risk_during_signin if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "azure.signinlogs",
			"module": "azure",
			"action": "sign-in",
			"outcome": "success"
		},
		"user": {
			"name": "alice@contoso.example"
		},
		"source": {
			"ip": "198.51.100.7"
		},
		"azure": {
			"signinlogs": {
				"category": "SignInLogs",
				"properties": {
					"userPrincipalName": "alice@contoso.example",
					"riskLevelDuringSignIn": "high",
					"riskLevelAggregated": "none",
					"riskState": "atRisk",
					"status": {
						"errorCode": 0
					}
				}
			}
		}
	}
}

# true positive: high aggregated user risk
test_fires_high_aggregated_risk if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "azure.signinlogs",
			"module": "azure",
			"action": "sign-in",
			"outcome": "success"
		},
		"user": {
			"name": "alice@contoso.example"
		},
		"source": {
			"ip": "198.51.100.7"
		},
		"azure": {
			"signinlogs": {
				"category": "SignInLogs",
				"properties": {
					"userPrincipalName": "alice@contoso.example",
					"riskLevelDuringSignIn": "none",
					"riskLevelAggregated": "high",
					"riskState": "atRisk",
					"status": {
						"errorCode": 0
					}
				}
			}
		}
	}
}

# true negative: high risk dismissed
test_quiet_dismissed if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "azure.signinlogs",
			"module": "azure",
			"action": "sign-in",
			"outcome": "success"
		},
		"user": {
			"name": "alice@contoso.example"
		},
		"source": {
			"ip": "198.51.100.7"
		},
		"azure": {
			"signinlogs": {
				"category": "SignInLogs",
				"properties": {
					"userPrincipalName": "alice@contoso.example",
					"riskLevelDuringSignIn": "high",
					"riskLevelAggregated": "high",
					"riskState": "dismissed",
					"status": {
						"errorCode": 0
					}
				}
			}
		}
	}
}

# true negative: low risk
test_quiet_low_risk if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "azure.signinlogs",
			"module": "azure",
			"action": "sign-in",
			"outcome": "success"
		},
		"user": {
			"name": "alice@contoso.example"
		},
		"source": {
			"ip": "198.51.100.7"
		},
		"azure": {
			"signinlogs": {
				"category": "SignInLogs",
				"properties": {
					"userPrincipalName": "alice@contoso.example",
					"riskLevelDuringSignIn": "low",
					"riskLevelAggregated": "low",
					"riskState": "atRisk",
					"status": {
						"errorCode": 0
					}
				}
			}
		}
	}
}
