package gen

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Noise: true, ScenarioEvery: 2000}
	a := New(cfg).Generate(30000)
	b := New(cfg).Generate(30000)
	if len(a) != len(b) {
		t.Fatalf("lengths differ: %d vs %d", len(a), len(b))
	}
	for i := range a {
		if !bytes.Equal(a[i].Value, b[i].Value) || !bytes.Equal(a[i].Key, b[i].Key) ||
			!a[i].Time.Equal(b[i].Time) || a[i].Step != b[i].Step || a[i].Source != b[i].Source {
			t.Fatalf("record %d differs:\n%s\n%s", i, a[i].Value, b[i].Value)
		}
	}
	cfg.Seed = 43
	c := New(cfg).Generate(100)
	same := 0
	for i := range c {
		if bytes.Equal(a[i].Value, c[i].Value) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seed 43 repeats %d of seed 42's first 100 records", same)
	}
}

func TestTimeOrderAndUniqueIDs(t *testing.T) {
	g := New(Config{Seed: 7, Noise: true, ScenarioEvery: 1500})
	recs := g.Generate(60000)
	ids := map[string]bool{}
	idField := map[string]string{SourceCloudTrail: "eventID", SourceO365: "Id", SourceOkta: "uuid"}
	for i, r := range recs {
		if i > 0 && r.Time.Before(recs[i-1].Time) {
			t.Fatalf("record %d at %v before record %d at %v", i, r.Time, i-1, recs[i-1].Time)
		}
		f, ok := idField[r.Source]
		if !ok {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(r.Value, &m); err != nil {
			t.Fatal(err)
		}
		id, _ := m[f].(string)
		if id == "" || ids[id] {
			t.Fatalf("%s record %d: id %q empty or repeated", r.Source, i, id)
		}
		ids[id] = true
	}
}

// field returns the value at a dotted path; keys with dots (Zeek's
// id.orig_h) are tried whole first.
func field(m map[string]any, path string) (any, bool) {
	if v, ok := m[path]; ok {
		return v, true
	}
	head, rest, found := strings.Cut(path, ".")
	if !found {
		return nil, false
	}
	sub, ok := m[head].(map[string]any)
	if !ok {
		return nil, false
	}
	return field(sub, rest)
}

var (
	reRFC3164 = regexp.MustCompile(`^<\d{1,3}>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [\w\-.]+(\[\d+\])?: .+$`)
	reRFC5424 = regexp.MustCompile(`^<\d{1,3}>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z \S+ \S+ (\d+|-) - - .+$`)
)

func TestRecordShapes(t *testing.T) {
	required := map[string][]string{
		SourceCloudTrail: {"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
			"userIdentity.type", "eventID", "eventType", "recipientAccountId"},
		SourceO365:    {"CreationTime", "Id", "Operation", "OrganizationId", "RecordType", "UserKey", "UserType", "Workload", "ClientIP", "UserId"},
		SourceSignIn:  {"time", "resourceId", "operationName", "category", "tenantId", "resultType", "callerIpAddress", "properties.id", "properties.createdDateTime", "properties.userPrincipalName", "properties.appDisplayName", "properties.ipAddress", "properties.clientAppUsed", "properties.conditionalAccessStatus", "properties.isInteractive", "properties.riskLevelDuringSignIn", "properties.riskState", "properties.status.errorCode", "properties.location.countryOrRegion", "properties.location.geoCoordinates.latitude", "properties.deviceDetail", "properties.authenticationRequirement"},
		SourceOkta:    {"uuid", "published", "eventType", "displayMessage", "severity", "actor.id", "actor.type", "actor.alternateId", "actor.displayName", "client.ipAddress", "client.userAgent.rawUserAgent", "client.geographicalContext.country", "outcome.result", "target", "authenticationContext", "debugContext.debugData"},
		SourceWindows: {"@timestamp", "EventID", "Channel", "Hostname", "SourceName", "EventRecordID"},
		SourceZeek:    {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"},
	}
	perEvent := map[string][]string{
		"4624": {"TargetUserName", "TargetDomainName", "LogonType", "IpAddress"}, "4688": {"NewProcessName", "CommandLine"},
		"1": {"Image", "CommandLine", "ParentImage", "User"}, "3": {"Image", "DestinationIp", "DestinationPort"},
		"10": {"SourceImage", "TargetImage", "GrantedAccess"}, "7045": {"ServiceName", "ImagePath"},
		"4698": {"TaskName"}, "1102": {"SubjectUserName"}, "4720": {"TargetUserName"}, "4732": {"MemberSid", "TargetUserName"},
		"5145": {"ShareName", "RelativeTargetName"},
	}
	g := New(Config{Seed: 3, Noise: true, ScenarioEvery: 1000, EventsPerSecondOfEventTime: 20})
	counts := map[string]int{}
	zeekPaths := map[string]int{}
	eventIDs := map[string]int{}
	for _, r := range g.Generate(40000) {
		counts[r.Source]++
		if r.Topic != Topics[r.Source] || r.Tenant == "" || !bytes.HasPrefix(r.Key, []byte(r.Tenant+"/")) {
			t.Fatalf("bad routing %q %q %q for %s", r.Topic, r.Tenant, r.Key, r.Source)
		}
		if r.Source == SourceSyslog {
			if !reRFC3164.Match(r.Value) && !reRFC5424.Match(r.Value) {
				t.Fatalf("not RFC 3164/5424: %s", r.Value)
			}
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(r.Value, &m); err != nil {
			t.Fatalf("%s: %v: %s", r.Source, err, r.Value)
		}
		for _, f := range required[r.Source] {
			if _, ok := field(m, f); !ok {
				t.Fatalf("%s lacks %s: %s", r.Source, f, r.Value)
			}
		}
		switch r.Source {
		case SourceWindows:
			id, _ := json.Marshal(m["EventID"])
			eventIDs[string(id)]++
			for _, f := range perEvent[string(id)] {
				if _, ok := m[f]; !ok {
					t.Fatalf("event %s lacks %s: %s", id, f, r.Value)
				}
			}
		case SourceZeek:
			p, _ := m["_path"].(string)
			if p == "" {
				switch {
				case m["query"] != nil:
					p = "dns?"
				case m["server_name"] != nil:
					p = "ssl?"
				case m["method"] != nil:
					p = "http?"
				default:
					p = "conn?"
				}
			}
			zeekPaths[p]++
		case SourceCloudTrail:
			if m["eventName"] == "ConsoleLogin" {
				if _, ok := field(m, "additionalEventData.MFAUsed"); !ok {
					t.Fatalf("ConsoleLogin without MFAUsed: %s", r.Value)
				}
				if _, ok := field(m, "responseElements.ConsoleLogin"); !ok {
					t.Fatalf("ConsoleLogin without result: %s", r.Value)
				}
			}
		}
	}
	for _, s := range AllSources {
		if counts[s] == 0 {
			t.Errorf("no %s records", s)
		}
	}
	for _, p := range []string{"conn", "dns", "http", "ssl", "conn?", "dns?", "ssl?", "http?"} {
		if zeekPaths[p] == 0 {
			t.Errorf("no zeek %s records (%v)", p, zeekPaths)
		}
	}
	for id := range perEvent {
		if eventIDs[id] == 0 {
			t.Errorf("no Windows event %s (%v)", id, eventIDs)
		}
	}
}

func TestSourcesFilter(t *testing.T) {
	g := New(Config{Seed: 1, Noise: true, Sources: []string{SourceZeek, SourceSyslog}, ScenarioEvery: 500})
	for _, r := range g.Generate(5000) {
		if r.Source != SourceZeek && r.Source != SourceSyslog {
			t.Fatalf("unexpected source %s", r.Source)
		}
		if r.Scenario != "" && r.Scenario != "zeek_dns_tunnel" && r.Scenario != "ssh_bruteforce_sudo" {
			t.Fatalf("unexpected scenario %s", r.Scenario)
		}
	}
	if g := New(Config{Scenarios: []string{}}); g.Next().Value != nil {
		t.Error("no noise and no scenarios should give the zero record")
	}
}

// firstInstance returns the records of the first instance of one scenario,
// generated alone.
func firstInstance(t *testing.T, name string, seed int64) ([]Record, Expectation) {
	t.Helper()
	g := New(Config{Seed: seed, Scenarios: []string{name}})
	var recs []Record
	for len(g.Expected()) == 0 {
		recs = append(recs, g.Next())
	}
	exp := g.Expected()[0]
	if len(recs) != exp.Records {
		t.Fatalf("%s: %d records, expectation says %d", name, len(recs), exp.Records)
	}
	return recs, exp
}

func TestScenarioSteps(t *testing.T) {
	for _, s := range Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			for seed := int64(1); seed <= 3; seed++ {
				recs, exp := firstInstance(t, s.Name, seed)
				if exp.Scenario != s.Name || len(exp.Entities) != len(s.Entities) || !slices.Equal(exp.Behaviours, s.Expected.Behaviours) {
					t.Fatalf("expectation %v does not match scenario %+v", exp, s)
				}
				// Steps start in order (they may overlap: beacons run
				// alongside the DNS tunnel).
				var order []string
				for _, r := range recs {
					if r.Scenario != s.Name || !slices.Contains(s.Sources, r.Source) {
						t.Fatalf("record of %q/%s in %s", r.Scenario, r.Source, s.Name)
					}
					if !slices.Contains(order, r.Step) {
						order = append(order, r.Step)
					}
				}
				var want []string
				for _, st := range s.Steps {
					want = append(want, st.Name)
				}
				if !slices.Equal(order, want) {
					t.Fatalf("steps %v, want %v", order, want)
				}
				// Every entity is named by some record.
				for _, e := range exp.Entities {
					found := false
					for _, r := range recs {
						if bytes.Contains(r.Value, []byte(e.Value)) {
							found = true
							break
						}
					}
					if !found {
						t.Errorf("entity %v in no record", e)
					}
				}
				checkScenario(t, s.Name, recs, exp)
			}
		})
	}
}

func countStep(recs []Record, step, substr string) (n int) {
	for _, r := range recs {
		if r.Step == step && strings.Contains(string(r.Value), substr) {
			n++
		}
	}
	return n
}

// checkScenario checks the facts each scenario's detections rely on.
func checkScenario(t *testing.T, name string, recs []Record, exp Expectation) {
	t.Helper()
	ent := func(i int) string { return exp.Entities[i].Value }
	atLeast := func(what string, got, want int) {
		t.Helper()
		if got < want {
			t.Errorf("%s: %d, want >= %d", what, got, want)
		}
	}
	switch name {
	case "o365_bec":
		users := map[string]bool{}
		for _, r := range recs {
			if r.Step == "password_spray" && r.Source == SourceSignIn {
				var m struct {
					ResultType string `json:"resultType"`
					IP         string `json:"callerIpAddress"`
					Properties struct {
						UPN string `json:"userPrincipalName"`
					} `json:"properties"`
				}
				_ = json.Unmarshal(r.Value, &m)
				if m.ResultType != "50126" || m.IP != ent(1) {
					t.Fatalf("spray record %s", r.Value)
				}
				users[m.Properties.UPN] = true
			}
		}
		atLeast("sprayed users", len(users), 20)
		atLeast("risky sign-in", countStep(recs, "risky_signin", `"riskLevelDuringSignIn":"high"`), 1)
		atLeast("forward rule", countStep(recs, "inbox_rule", `"Name":"ForwardTo","Value":"`), 1)
		atLeast("forwarding smtp", countStep(recs, "mailbox_forwarding", "smtp:"), 1)
		atLeast("downloads", countStep(recs, "mass_download", `"Operation":"FileDownloaded"`), 40)
	case "ssh_bruteforce_sudo":
		atLeast("failed passwords", countStep(recs, "bruteforce", "Failed password for"), 20)
		atLeast("accepted", countStep(recs, "ssh_login", "Accepted password for "+ent(1)+" from "+ent(0)), 1)
		atLeast("sudo bash", countStep(recs, "sudo_shell", "COMMAND=/bin/bash"), 1)
		atLeast("useradd", countStep(recs, "backdoor_user", "new user: name="+ent(3)), 1)
		atLeast("sudoers", countStep(recs, "sudoers_edit", "/etc/sudoers"), 1)
	case "aws_credential_misuse":
		atLeast("no-MFA login", countStep(recs, "console_login", `"ConsoleLogin":"Success"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true","MobileVersion":"No","MFAUsed":"No"}`), 1)
		atLeast("access key", countStep(recs, "create_access_key", `"requestParameters":{"userName":"`+ent(3)+`"}`), 1)
		atLeast("0.0.0.0/0", countStep(recs, "open_security_group", `"cidrIp":"0.0.0.0/0"`), 1)
		atLeast("StopLogging", countStep(recs, "stop_logging", `"eventName":"StopLogging"`), 1)
		atLeast("DeleteTrail", countStep(recs, "delete_trail", `"eventName":"DeleteTrail"`), 1)
	case "windows_credential_dumping":
		atLeast("encoded", countStep(recs, "encoded_powershell", "-enc "), 2)
		atLeast("lsass", countStep(recs, "lsass_access", `"TargetImage":"C:\\Windows\\system32\\lsass.exe","GrantedAccess":"0x1010"`), 1)
		atLeast("type 3 logon", countStep(recs, "lateral_logon", `"LogonType":"3"`), 1)
		atLeast("PSEXESVC", countStep(recs, "psexec_service", `"ServiceName":"PSEXESVC"`), 1)
		atLeast("1102", countStep(recs, "log_cleared", `"EventID":1102`), 1)
	case "okta_mfa_fatigue":
		atLeast("denies", countStep(recs, "push_spam", `"eventType":"user.mfa.okta_verify.deny_push"`), 10)
		atLeast("accepted", countStep(recs, "push_accepted", `"eventType":"user.authentication.auth_via_mfa"`), 1)
		atLeast("grant", countStep(recs, "privilege_grant", `"alternateId":"`+ent(2)+`"`), 1)
		atLeast("reset", countStep(recs, "factor_reset", `"alternateId":"`+ent(3)+`"`), 1)
	case "zeek_dns_tunnel":
		atLeast("tunnel queries", countStep(recs, "dns_tunnel", "."+ent(1)+`","qclass"`), 100)
		atLeast("TXT", countStep(recs, "dns_tunnel", `"qtype_name":"TXT"`), 30)
		atLeast("beacons", countStep(recs, "beacon", `"id.resp_h":"`+ent(2)+`"`), 10)
	default:
		t.Fatalf("no checks for %s", name)
	}
}

func TestExpectedMatchesStream(t *testing.T) {
	g := New(Config{Seed: 11, Noise: true, ScenarioEvery: 3000, EventsPerSecondOfEventTime: 50})
	recs := g.Generate(150000)
	exp, inj := g.Expected(), g.Injected()
	if len(exp) < len(scenarioDefs) {
		t.Fatalf("only %d complete scenarios", len(exp))
	}
	inStream := map[string]int{}
	for _, r := range recs {
		if r.Scenario != "" {
			inStream[r.Scenario]++
		}
	}
	done, injected := map[string]int{}, map[string]int{}
	for _, e := range exp {
		done[e.Scenario] += e.Records
		if e.End.After(recs[len(recs)-1].Time) || e.Start.After(e.End) {
			t.Errorf("%v: times %v..%v", e, e.Start, e.End)
		}
	}
	for _, e := range inj {
		injected[e.Scenario] += e.Records
	}
	for name, n := range inStream {
		if n < done[name] || n > injected[name] {
			t.Errorf("%s: %d records in stream, %d in completed and %d in injected instances", name, n, done[name], injected[name])
		}
	}
	// Fresh entities per repetition.
	seen := map[string]string{}
	for _, e := range exp {
		if e.Scenario == "zeek_dns_tunnel" {
			if prev, ok := seen[e.Entities[1].Value]; ok {
				t.Errorf("tunnel domain %s reused by %s and %v", e.Entities[1].Value, prev, e)
			}
			seen[e.Entities[1].Value] = e.String()
		}
	}
}

func TestDefaults(t *testing.T) {
	g := New(Config{})
	if len(g.tenants) != 2 || g.cfg.Start != time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC) || len(g.noiseSrc) != len(AllSources) {
		t.Errorf("defaults not applied: %+v", g.cfg)
	}
	for _, tn := range g.tenants {
		if len(tn.users) != 300 || len(tn.hosts) != 40 {
			t.Errorf("tenant %s: %d users, %d hosts", tn.name, len(tn.users), len(tn.hosts))
		}
	}
}

// TestScenarioSpeedup checks that a faster scenario keeps its records and
// their order and spans that many times less event time.
func TestScenarioSpeedup(t *testing.T) {
	span := func(speedup float64) (time.Duration, []string) {
		g := New(Config{Seed: 5, Scenarios: []string{"zeek_dns_tunnel"}, ScenarioSpeedup: speedup})
		recs := g.Generate(100000)
		exp := g.Expected()
		if len(exp) == 0 {
			t.Fatalf("speedup %v: no scenario completed", speedup)
		}
		var steps []string
		for _, r := range recs[:exp[0].Records] {
			steps = append(steps, r.Step)
		}
		return exp[0].End.Sub(exp[0].Start), steps
	}
	normal, normalSteps := span(1)
	fast, fastSteps := span(10)
	if normal < 5*time.Minute {
		t.Fatalf("the tunnel scenario spans %v at normal speed, want minutes", normal)
	}
	if got := float64(normal) / float64(fast); got < 9.9 || got > 10.1 {
		t.Errorf("speedup 10: span %v against %v, ratio %.2f", fast, normal, got)
	}
	if !slices.Equal(normalSteps, fastSteps) {
		t.Errorf("speedup changed the scenario's records or their order")
	}
}

// TestSeedsGiveDifferentStreams: two seeds must not give the same records
// shifted (SplitMix64 steps its state by a constant, so seeds used as
// multiples of it would), or two demo runs into one database would share
// event ids.
func TestSeedsGiveDifferentStreams(t *testing.T) {
	values := func(seed int64) map[uint64]bool {
		r := newRNG(seed)
		out := map[uint64]bool{}
		for range 10000 {
			out[r.u64()] = true
		}
		return out
	}
	a := values(1)
	for _, seed := range []int64{2, 3, 1 << 20, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC).Unix()} {
		shared := 0
		for v := range values(seed) {
			if a[v] {
				shared++
			}
		}
		if shared > 0 {
			t.Errorf("seeds 1 and %d share %d of 10 000 values", seed, shared)
		}
	}
}
