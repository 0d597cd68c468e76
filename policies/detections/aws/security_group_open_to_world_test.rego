package vigil.detections.aws.security_group_open_to_world_test

import data.vigil.detections.aws.security_group_open_to_world as det

# true positive: SSH open to the world
test_fires_ssh_open_to_the_world if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "AuthorizeSecurityGroupIngress",
			"outcome": "success"
		},
		"user": {
			"name": "dev1"
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
				"eventName": "AuthorizeSecurityGroupIngress",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "dev1",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"groupId": "sg-0abc",
					"ipPermissions": {
						"items": [
							{
								"ipProtocol": "tcp",
								"fromPort": 22,
								"toPort": 22,
								"ipRanges": {
									"items": [
										{
											"cidrIp": "0.0.0.0/0"
										}
									]
								}
							}
						]
					}
				}
			}
		}
	}
}

# true positive: all traffic from ::/0
test_fires_all_traffic_from_0 if {
	count(det.finding) == 1 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "AuthorizeSecurityGroupIngress",
			"outcome": "success"
		},
		"user": {
			"name": "dev1"
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
				"eventName": "AuthorizeSecurityGroupIngress",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "dev1",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"groupId": "sg-0abc",
					"ipPermissions": {
						"items": [
							{
								"ipProtocol": "-1",
								"fromPort": -1,
								"toPort": -1,
								"ipv6Ranges": {
									"items": [
										{
											"cidrIpv6": "::/0"
										}
									]
								}
							}
						]
					}
				}
			}
		}
	}
}

# true negative: HTTPS open to the world
test_quiet_https_open_to_the_world if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "AuthorizeSecurityGroupIngress",
			"outcome": "success"
		},
		"user": {
			"name": "dev1"
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
				"eventName": "AuthorizeSecurityGroupIngress",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "dev1",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"groupId": "sg-0abc",
					"ipPermissions": {
						"items": [
							{
								"ipProtocol": "tcp",
								"fromPort": 443,
								"toPort": 443,
								"ipRanges": {
									"items": [
										{
											"cidrIp": "0.0.0.0/0"
										}
									]
								}
							}
						]
					}
				}
			}
		}
	}
}

# true negative: SSH from the office
test_quiet_ssh_from_the_office if {
	count(det.finding) == 0 with input as {
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {
			"dataset": "aws.cloudtrail",
			"module": "aws",
			"action": "AuthorizeSecurityGroupIngress",
			"outcome": "success"
		},
		"user": {
			"name": "dev1"
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
				"eventName": "AuthorizeSecurityGroupIngress",
				"eventSource": "cloudtrail.amazonaws.com",
				"userIdentity": {
					"type": "IAMUser",
					"userName": "dev1",
					"accountId": "111122223333"
				},
				"sourceIPAddress": "198.18.0.10",
				"recipientAccountId": "111122223333",
				"requestParameters": {
					"groupId": "sg-0abc",
					"ipPermissions": {
						"items": [
							{
								"ipProtocol": "tcp",
								"fromPort": 22,
								"toPort": 22,
								"ipRanges": {
									"items": [
										{
											"cidrIp": "192.0.2.0/24"
										}
									]
								}
							}
						]
					}
				}
			}
		}
	}
}
