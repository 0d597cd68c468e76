package vigil.detections.aws.s3_bucket_made_public_test

import data.vigil.detections.aws.s3_bucket_made_public as det

# true positive: policy for everyone
test_fires_policy_for_everyone if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "PutBucketPolicy",
			"outcome": "success"
		},
		"user": {
			"name": "dev2"
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
				"eventName": "PutBucketPolicy",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "dev2",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"bucketName": "payroll-exports",
					"bucketPolicy": {
						"Version": "2012-10-17",
						"Statement": [
							{
								"Effect": "Allow",
								"Principal": "*",
								"Action": "s3:GetObject",
								"Resource": "arn:aws:s3:::payroll-exports/*"
							}
						]
					}
				}
			}
		}
	}
}

# true positive: ACL for AllUsers
test_fires_acl_for_allusers if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "PutBucketAcl",
			"outcome": "success"
		},
		"user": {
			"name": "dev2"
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
				"eventName": "PutBucketAcl",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "dev2",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"bucketName": "payroll-exports",
					"AccessControlPolicy": {
						"AccessControlList": {
							"Grant": [
								{
									"Grantee": {
										"URI": "http://acs.amazonaws.com/groups/global/AllUsers"
									},
									"Permission": "READ"
								}
							]
						}
					}
				}
			}
		}
	}
}

# true negative: policy for one account
test_quiet_policy_for_one_account if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "PutBucketPolicy",
			"outcome": "success"
		},
		"user": {
			"name": "dev2"
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
				"eventName": "PutBucketPolicy",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "dev2",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"bucketName": "logs",
					"bucketPolicy": {
						"Statement": [
							{
								"Effect": "Allow",
								"Principal": {
									"AWS": "arn:aws:iam::444455556666:root"
								},
								"Action": "s3:PutObject"
							}
						]
					}
				}
			}
		}
	}
}

# true negative: public principal limited by a condition
test_quiet_public_principal_limited_by_a_condition if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "PutBucketPolicy",
			"outcome": "success"
		},
		"user": {
			"name": "dev2"
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
				"eventName": "PutBucketPolicy",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "dev2",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"bucketName": "logs",
					"bucketPolicy": {
						"Statement": [
							{
								"Effect": "Allow",
								"Principal": "*",
								"Action": "s3:GetObject",
								"Condition": {
									"IpAddress": {
										"aws:SourceIp": "192.0.2.0/24"
									}
								}
							}
						]
					}
				}
			}
		}
	}
}
