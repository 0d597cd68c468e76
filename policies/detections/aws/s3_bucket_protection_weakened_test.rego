package vigil.detections.aws.s3_bucket_protection_weakened_test

import data.vigil.detections.aws.s3_bucket_protection_weakened as det

# true positive: default encryption deleted
test_fires_encryption_deleted if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "DeleteBucketEncryption",
			"outcome": "success"
		},
		"user": {
			"name": "mallory"
		},
		"source": {
			"ip": "198.18.0.10"
		},
		"cloud": {
			"provider": "aws",
			"account": {
				"id": "111122223333"
			}
		},
		"aws": {
			"cloudtrail": {
				"eventName": "DeleteBucketEncryption",
				"eventSource": "s3.amazonaws.com",
				"requestParameters": {
					"bucketName": "finance-archive"
				},
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				}
			}
		}
	}
}

# true positive: versioning suspended
test_fires_versioning_suspended if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "PutBucketVersioning",
			"outcome": "success"
		},
		"user": {
			"name": "mallory"
		},
		"source": {
			"ip": "198.18.0.10"
		},
		"cloud": {
			"provider": "aws",
			"account": {
				"id": "111122223333"
			}
		},
		"aws": {
			"cloudtrail": {
				"eventName": "PutBucketVersioning",
				"eventSource": "s3.amazonaws.com",
				"requestParameters": {
					"bucketName": "finance-archive",
					"VersioningConfiguration": {
						"Status": "Suspended"
					}
				},
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				}
			}
		}
	}
}

# true positive: MFA delete disabled
test_fires_mfa_delete_disabled if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "PutBucketVersioning",
			"outcome": "success"
		},
		"user": {
			"name": "mallory"
		},
		"source": {
			"ip": "198.18.0.10"
		},
		"cloud": {
			"provider": "aws",
			"account": {
				"id": "111122223333"
			}
		},
		"aws": {
			"cloudtrail": {
				"eventName": "PutBucketVersioning",
				"eventSource": "s3.amazonaws.com",
				"requestParameters": {
					"bucketName": "finance-archive",
					"VersioningConfiguration": {
						"Status": "Enabled",
						"MfaDelete": "Disabled"
					}
				},
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				}
			}
		}
	}
}

# true negative: versioning enabled
test_quiet_versioning_enabled if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "PutBucketVersioning",
			"outcome": "success"
		},
		"user": {
			"name": "mallory"
		},
		"source": {
			"ip": "198.18.0.10"
		},
		"cloud": {
			"provider": "aws",
			"account": {
				"id": "111122223333"
			}
		},
		"aws": {
			"cloudtrail": {
				"eventName": "PutBucketVersioning",
				"eventSource": "s3.amazonaws.com",
				"requestParameters": {
					"bucketName": "finance-archive",
					"VersioningConfiguration": {
						"Status": "Enabled"
					}
				},
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				}
			}
		}
	}
}

# true negative: denied attempt
test_quiet_access_denied if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "DeleteBucketEncryption",
			"outcome": "failure"
		},
		"user": {
			"name": "mallory"
		},
		"source": {
			"ip": "198.18.0.10"
		},
		"cloud": {
			"provider": "aws",
			"account": {
				"id": "111122223333"
			}
		},
		"aws": {
			"cloudtrail": {
				"eventName": "DeleteBucketEncryption",
				"eventSource": "s3.amazonaws.com",
				"requestParameters": {
					"bucketName": "finance-archive"
				},
				"userIdentity": {
					"type": "IAMUser",
					"userName": "mallory",
					"accountId": "111122223333"
				}
			}
		}
	}
}
