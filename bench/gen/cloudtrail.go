package gen

import (
	"time"
)

// ctIdentity is CloudTrail's userIdentity.
type ctIdentity struct {
	typ, principalID, arn, userName, accessKeyID string
	mfa                                          bool
	issuerArn, issuerName, issuerID              string // AssumedRole only
	invokedBy                                    string // AWSService only
	created                                      time.Time
}

// ctEvent is one CloudTrail record. Empty req, resp mean null; empty extra
// leaves additionalEventData out.
type ctEvent struct {
	ts                      time.Time
	source, name, region    string
	ip, ua                  string
	id                      ctIdentity
	req, resp, extra        string
	eventType               string
	readOnly                bool
	errorCode, errorMessage string
}

func (g *Generator) cloudTrail(t *tenant, ev *ctEvent, keyEntity string) Record {
	e := g.begin()
	e.obj()
	e.str("eventVersion", "1.09")
	e.objK("userIdentity")
	e.str("type", ev.id.typ)
	if ev.id.typ == "AWSService" {
		e.str("invokedBy", ev.id.invokedBy)
	} else {
		e.str("principalId", ev.id.principalID)
		e.str("arn", ev.id.arn)
		e.str("accountId", t.awsAccount)
		if ev.id.accessKeyID != "" {
			e.str("accessKeyId", ev.id.accessKeyID)
		}
		if ev.id.userName != "" {
			e.str("userName", ev.id.userName)
		}
		if ev.id.typ != "Root" || !ev.id.created.IsZero() {
			e.objK("sessionContext")
			if ev.id.issuerArn != "" {
				e.objK("sessionIssuer")
				e.str("type", "Role")
				e.str("principalId", ev.id.issuerID)
				e.str("arn", ev.id.issuerArn)
				e.str("accountId", t.awsAccount)
				e.str("userName", ev.id.issuerName)
				e.end()
			}
			e.objK("attributes")
			e.time("creationDate", ev.id.created, layoutCloudTrail)
			if ev.id.mfa {
				e.str("mfaAuthenticated", "true")
			} else {
				e.str("mfaAuthenticated", "false")
			}
			e.end()
			e.end()
		}
	}
	e.end()
	e.time("eventTime", ev.ts, layoutCloudTrail)
	e.str("eventSource", ev.source)
	e.str("eventName", ev.name)
	e.str("awsRegion", ev.region)
	e.str("sourceIPAddress", ev.ip)
	e.str("userAgent", ev.ua)
	if ev.errorCode != "" {
		e.str("errorCode", ev.errorCode)
	}
	if ev.errorMessage != "" {
		e.str("errorMessage", ev.errorMessage)
	}
	if ev.req == "" {
		e.null("requestParameters")
	} else {
		e.raw("requestParameters", ev.req)
	}
	if ev.resp == "" {
		e.null("responseElements")
	} else {
		e.raw("responseElements", ev.resp)
	}
	if ev.extra != "" {
		e.raw("additionalEventData", ev.extra)
	}
	e.key("requestID")
	e.b = g.r.appendUUID(append(e.b, '"'))
	e.b = append(e.b, '"')
	e.key("eventID")
	e.b = g.r.appendUUID(append(e.b, '"'))
	e.b = append(e.b, '"')
	e.bool("readOnly", ev.readOnly)
	if ev.eventType == "" {
		e.str("eventType", "AwsApiCall")
	} else {
		e.str("eventType", ev.eventType)
	}
	e.bool("managementEvent", true)
	e.str("recipientAccountId", t.awsAccount)
	e.str("eventCategory", "Management")
	if ev.ua != "AWS Internal" && ev.id.typ != "AWSService" {
		e.objK("tlsDetails")
		e.str("tlsVersion", "TLSv1.3")
		e.str("cipherSuite", "TLS_AES_128_GCM_SHA256")
		e.str("clientProvidedHostHeader", ctHost(ev.source, ev.region))
		e.end()
	}
	e.end()
	return g.finish(SourceCloudTrail, t, ev.ts, keyEntity)
}

func ctHost(source, region string) string {
	switch source {
	case "iam.amazonaws.com", "s3.amazonaws.com", "signin.amazonaws.com", "sts.amazonaws.com":
		return source
	}
	svc := source[:len(source)-len(".amazonaws.com")]
	return svc + "." + region + ".amazonaws.com"
}

func iamUserIdentity(t *tenant, u *user, mfa bool, created time.Time) ctIdentity {
	name := u.upn[:len(u.upn)-len(t.domain)-1]
	return ctIdentity{
		typ: "IAMUser", principalID: u.awsID, arn: "arn:aws:iam::" + t.awsAccount + ":user/" + name,
		userName: name, accessKeyID: "ASIA" + u.awsKey[4:], mfa: mfa, created: created,
	}
}

func roleIdentity(t *tenant, i int, session string, created time.Time) ctIdentity {
	role := t.roles[i]
	return ctIdentity{
		typ: "AssumedRole", principalID: t.roleIDs[i] + ":" + session,
		arn:         "arn:aws:sts::" + t.awsAccount + ":assumed-role/" + role + "/" + session,
		accessKeyID: "ASIA" + t.roleIDs[i][4:20], issuerArn: "arn:aws:iam::" + t.awsAccount + ":role/" + role,
		issuerName: role, issuerID: t.roleIDs[i], created: created, mfa: false,
	}
}

var ctRegions = []string{"us-east-1", "us-east-1", "us-east-1", "us-west-2", "eu-west-1"}

var ctUserAgents = []string{
	"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/ec2.describe-instances",
	"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
	"aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.156.0",
	"APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1",
	"console.amazonaws.com",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
}

type ctRead struct{ source, name, req string }

var ctReads = []ctRead{
	{"ec2.amazonaws.com", "DescribeInstances", `{"instancesSet":{},"filterSet":{}}`},
	{"ec2.amazonaws.com", "DescribeSecurityGroups", `{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}`},
	{"ec2.amazonaws.com", "DescribeVolumes", `{"volumeSet":{},"filterSet":{}}`},
	{"ec2.amazonaws.com", "DescribeRegions", `{"regionSet":{},"allRegions":false}`},
	{"ec2.amazonaws.com", "DescribeVpcs", `{"vpcSet":{},"filterSet":{}}`},
	{"s3.amazonaws.com", "ListBuckets", `{"Host":"s3.amazonaws.com"}`},
	{"iam.amazonaws.com", "ListRoles", ``},
	{"iam.amazonaws.com", "GetUser", ``},
	{"iam.amazonaws.com", "ListPolicies", `{"scope":"Local","onlyAttached":false}`},
	{"iam.amazonaws.com", "GetAccountSummary", ``},
	{"sts.amazonaws.com", "GetCallerIdentity", ``},
	{"lambda.amazonaws.com", "ListFunctions20150331", ``},
	{"logs.amazonaws.com", "DescribeLogGroups", `{"limit":50}`},
	{"monitoring.amazonaws.com", "DescribeAlarms", `{"maxRecords":100}`},
	{"cloudtrail.amazonaws.com", "DescribeTrails", `{"trailNameList":[],"includeShadowTrails":true}`},
	{"cloudtrail.amazonaws.com", "GetTrailStatus", ``},
	{"kms.amazonaws.com", "ListKeys", ``},
	{"ecs.amazonaws.com", "ListClusters", ``},
	{"rds.amazonaws.com", "DescribeDBInstances", ``},
}

var ctServices = []string{"ecs-tasks.amazonaws.com", "lambda.amazonaws.com", "ec2.amazonaws.com", "config.amazonaws.com"}

func noiseCloudTrail(g *Generator, t *tenant, ts time.Time) Record {
	r := &g.r
	ev := ctEvent{ts: ts, region: pick(r, ctRegions), readOnly: true}
	key := ""
	created := ts.Add(-time.Duration(r.intn(3600)) * time.Second)
	switch x := r.intn(100); {
	case x < 45: // automation roles
		i := r.intn(4)
		ev.id = roleIdentity(t, i, pick(r, []string{"GitHubActions", "terraform", "i-0" + r.chars(hexLower, 16)}), created)
		ev.ip = t.ciIP
		ev.ua = ctUserAgents[r.intn(4)]
		rd := pick(r, ctReads)
		ev.source, ev.name, ev.req = rd.source, rd.name, rd.req
		key = t.roles[i]
	case x < 80: // people
		u := &t.users[r.intn(25)]
		if r.chance(0.5) {
			ev.id = roleIdentity(t, 3+r.intn(2), u.upn, created)
			ev.id.mfa = true
		} else {
			ev.id = iamUserIdentity(t, u, true, created)
		}
		ev.ip = t.userIP(r, u)
		ev.ua = ctUserAgents[r.intn(len(ctUserAgents))]
		rd := pick(r, ctReads)
		ev.source, ev.name, ev.req = rd.source, rd.name, rd.req
		if r.chance(0.03) {
			ev.errorCode = "Client.UnauthorizedOperation"
			ev.errorMessage = "You are not authorized to perform this operation."
		}
		key = u.upn
	case x < 92: // services assuming roles
		svc := pick(r, ctServices)
		i := r.intn(len(t.roles))
		ev.id = ctIdentity{typ: "AWSService", invokedBy: svc}
		ev.ip, ev.ua = svc, svc
		ev.source, ev.name, ev.eventType = "sts.amazonaws.com", "AssumeRole", "AwsApiCall"
		ev.req = `{"roleArn":"arn:aws:iam::` + t.awsAccount + `:role/` + t.roles[i] + `","roleSessionName":"` + r.chars(hexLower, 32) + `"}`
		ev.resp = `{"credentials":{"accessKeyId":"ASIA` + r.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16) +
			`","sessionToken":"IQoJb3JpZ2luX2VjE` + r.chars(alnum, 40) + `","expiration":"` + ts.Add(time.Hour).Format("Jan 2, 2006, 3:04:05 PM") +
			`"},"assumedRoleUser":{"assumedRoleId":"` + t.roleIDs[i] + `:` + r.chars(hexLower, 12) + `","arn":"arn:aws:sts::` + t.awsAccount + `:assumed-role/` + t.roles[i] + `/session"}}`
		key = t.roles[i]
	case x < 96: // console sign-in with MFA
		u := &t.users[r.intn(25)]
		ev.id = iamUserIdentity(t, u, true, ts)
		ev.id.accessKeyID = ""
		ev.ip = t.userIP(r, u)
		ev.ua = ctUserAgents[5]
		ev.region = "us-east-1"
		ev.source, ev.name, ev.eventType, ev.readOnly = "signin.amazonaws.com", "ConsoleLogin", "AwsConsoleSignIn", false
		ev.resp = `{"ConsoleLogin":"Success"}`
		ev.extra = `{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true","MobileVersion":"No","MFAIdentifier":"arn:aws:iam::` +
			t.awsAccount + `:mfa/` + ev.id.userName + `","MFAUsed":"Yes"}`
		key = u.upn
	default: // routine writes by automation
		i := r.intn(3)
		ev.id = roleIdentity(t, i, "GitHubActions", created)
		ev.ip, ev.ua, ev.readOnly = t.ciIP, ctUserAgents[3], false
		if r.chance(0.5) {
			ev.source, ev.name = "ec2.amazonaws.com", "CreateTags"
			ev.req = `{"resourcesSet":{"items":[{"resourceId":"i-0` + r.chars(hexLower, 16) + `"}]},"tagSet":{"items":[{"key":"deployed-by","value":"ci"}]}}`
			ev.resp = `{"requestId":"` + r.uuid() + `","_return":true}`
		} else {
			ev.source, ev.name = "s3.amazonaws.com", "PutBucketTagging"
			ev.req = `{"bucketName":"` + pick(r, t.buckets) + `","Host":"s3.amazonaws.com","tagging":""}`
		}
		key = t.roles[i]
	}
	return g.cloudTrail(t, &ev, key)
}
