package parse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json")

// recTime is the Kafka timestamp of every test record; it also gives
// RFC 3164 lines their year.
var recTime = time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)

// testdataCases maps each hand-written sample to its source. Files ending
// in .json are one record; .jsonl and .log hold one record per line.
var testdataCases = []struct{ file, source string }{
	{"cloudtrail_records.json", SourceCloudTrail},
	{"cloudtrail_assumedrole.json", SourceCloudTrail},
	{"o365.jsonl", SourceO365},
	{"signin.jsonl", SourceSignIn},
	{"okta.jsonl", SourceOkta},
	{"windows_winlogbeat.jsonl", SourceWindows},
	{"windows_flat.jsonl", SourceWindows},
	{"auth.log", SourceSyslog},
	{"zeek.jsonl", SourceZeek},
	{"ecs.jsonl", SourceECS},
}

// readRecords returns the records of a testdata file.
func readRecords(tb testing.TB, file string) []Record {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		tb.Fatal(err)
	}
	if strings.HasSuffix(file, ".json") {
		return []Record{{Value: b, Topic: "raw", Time: recTime, File: file, Line: 1}}
	}
	var recs []Record
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 4<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		recs = append(recs, Record{Value: bytes.Clone(sc.Bytes()), Topic: "raw", Offset: int64(n), Time: recTime, File: file, Line: n})
	}
	return recs
}

func mustParse(tb testing.TB, r *Registry, source string, rec Record) []event.Event {
	tb.Helper()
	evs, err := r.Parse(source, rec)
	if err != nil {
		tb.Fatalf("parse %s record %q: %v", source, truncate(rec.Value), err)
	}
	for _, e := range evs {
		checkInvariants(tb, e)
	}
	return evs
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// checkInvariants holds for every event of every parser.
func checkInvariants(tb testing.TB, e event.Event) {
	tb.Helper()
	if e.Event.ID == "" || e.Timestamp.IsZero() || e.Event.Kind == "" || e.Event.Original == "" {
		tb.Fatalf("event misses id/timestamp/kind/original: %+v", e.Event)
	}
	if _, err := json.Marshal(e); err != nil {
		tb.Fatalf("event does not encode: %v", err)
	}
}

// TestGolden parses every testdata sample and compares the ECS encoding
// with testdata/golden/<file>.json; -update rewrites them.
func TestGolden(t *testing.T) {
	r := NewRegistry()
	for _, tc := range testdataCases {
		t.Run(tc.file, func(t *testing.T) {
			var all []json.RawMessage
			for _, rec := range readRecords(t, tc.file) {
				for _, e := range mustParse(t, r, tc.source, rec) {
					b, err := json.Marshal(e)
					if err != nil {
						t.Fatal(err)
					}
					all = append(all, b)
				}
				// Detection by shape agrees with the declared source.
				if got, ok := DetectSource(rec.Value); !ok || got != tc.source {
					t.Errorf("DetectSource(line %d) = %q, %v; want %q", rec.Line, got, ok, tc.source)
				}
			}
			got, err := json.MarshalIndent(all, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(tc.file, filepath.Ext(tc.file))+".golden.json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
				t.Errorf("%s differs from the parse result; run go test -update and review the diff", golden)
			}
		})
	}
}

// fieldCase asserts specific fields of the n-th event of a testdata file.
type fieldCase struct {
	name   string
	file   string
	index  int // event index across the file
	source string
	check  func(t *testing.T, e event.Event)
}

func eventsOf(t *testing.T, r *Registry, file, source string) []event.Event {
	t.Helper()
	var evs []event.Event
	for _, rec := range readRecords(t, file) {
		evs = append(evs, mustParse(t, r, source, rec)...)
	}
	return evs
}

// lineID is the id of the first event of line n of a testdata file whose
// source has no id of its own: source, file, line, index and the line.
func lineID(t *testing.T, source, file string, n int) string {
	t.Helper()
	for _, rec := range readRecords(t, file) {
		if rec.Line == n {
			return event.StableIDOf("ev-", rec.Value, source, "file", file, strconv.Itoa(n), "0")
		}
	}
	t.Fatalf("%s has no line %d", file, n)
	return ""
}

// TestPositionID: an event of a source without ids keeps its id when the
// same record is read again at the same place (a replay), and gets another
// when another record sits there (a topic created again, a file rewritten).
func TestPositionID(t *testing.T) {
	rec := Record{Value: []byte("Mar  4 10:00:01 bastion-1 sshd[1]: Accepted publickey for deploy from 10.1.4.22 port 51622 ssh2"),
		Topic: "logs.syslog", Partition: 2, Offset: 41}
	replay := rec
	replay.Value = bytes.Clone(rec.Value)
	other := rec
	other.Value = []byte("Mar  4 10:00:02 bastion-1 sshd[2]: Accepted publickey for root from 10.1.4.23 port 51623 ssh2")
	moved := rec
	moved.Offset = 42
	id := positionID(SourceSyslog, rec, 0)
	if !strings.HasPrefix(id, "ev-") || positionID(SourceSyslog, replay, 0) != id {
		t.Fatalf("replay: %s then %s", id, positionID(SourceSyslog, replay, 0))
	}
	for name, r := range map[string]Record{"another record at the same offset": other, "the same record at another offset": moved} {
		if positionID(SourceSyslog, r, 0) == id {
			t.Errorf("%s got the same id %s", name, id)
		}
	}
	if positionID(SourceSyslog, rec, 1) == id {
		t.Error("the second event of a record got the id of the first")
	}
}

func eq[T comparable](t *testing.T, field string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func eqs(t *testing.T, field string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

func vendor(e event.Event, path ...string) any {
	return getV(e.Vendor, path...)
}

func TestFields(t *testing.T) {
	cases := []fieldCase{
		{"cloudtrail CreateAccessKey for another user", "cloudtrail_records.json", 0, SourceCloudTrail, func(t *testing.T, e event.Event) {
			eq(t, "id", e.Event.ID, event.StableID("ev-", SourceCloudTrail, "5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"))
			eq(t, "ts", e.Timestamp, time.Date(2024, 5, 14, 9, 12, 44, 0, time.UTC))
			eq(t, "created", e.Event.Created, recTime)
			eq(t, "action", e.Event.Action, "CreateAccessKey")
			eqs(t, "category", e.Event.Category, "iam")
			eqs(t, "type", e.Event.Type, "creation")
			eq(t, "outcome", e.Event.Outcome, "success")
			eq(t, "user.name", e.User.Name, "ops-admin")
			eq(t, "user.target.name", e.User.Target.Name, "backup-svc")
			eq(t, "source.ip", e.Source.IP, "198.51.100.23")
			eq(t, "cloud.account.id", e.Cloud.Account.ID, "123456789012")
			eq(t, "cloud.region", e.Cloud.Region, "us-east-1")
			eq(t, "cloud.service.name", e.Cloud.Service.Name, "iam")
			eq(t, "organization.id", e.Organization.ID, "123456789012")
			eqs(t, "related.user", e.Related.User, "ops-admin", "backup-svc")
			eq(t, "vendor eventID", vendor(e, "aws", "cloudtrail", "eventID"), any("5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"))
			if !strings.HasPrefix(e.Event.Original, `{"eventVersion":"1.09"`) || strings.Contains(e.Event.Original, "ConsoleLogin") {
				t.Errorf("original is not the record's own JSON: %.80s", e.Event.Original)
			}
		}},
		{"cloudtrail failed ConsoleLogin", "cloudtrail_records.json", 1, SourceCloudTrail, func(t *testing.T, e event.Event) {
			eqs(t, "category", e.Event.Category, "authentication")
			eq(t, "outcome", e.Event.Outcome, "failure")
			eq(t, "user.name", e.User.Name, "jdoe")
			eq(t, "user_agent", strings.HasPrefix(e.UserAgent.Original, "Mozilla/5.0"), true)
		}},
		{"cloudtrail assumed role denied", "cloudtrail_assumedrole.json", 0, SourceCloudTrail, func(t *testing.T, e event.Event) {
			eq(t, "user.name", e.User.Name, "deploy-role")
			eqs(t, "type", e.Event.Type, "change", "denied")
			eq(t, "outcome", e.Event.Outcome, "failure")
			eqs(t, "category", e.Event.Category, "configuration")
			eq(t, "cloud.service.name", e.Cloud.Service.Name, "s3")
		}},
		{"o365 inbox rule forwarding", "o365.jsonl", 0, SourceO365, func(t *testing.T, e event.Event) {
			eq(t, "organization.id", e.Organization.ID, "4f9d8c7b-6a5e-4d3c-2b1a-0f9e8d7c6b5a")
			eq(t, "action", e.Event.Action, "New-InboxRule")
			eq(t, "source.ip", e.Source.IP, "2001:db8:85a3::8a2e:370:7334")
			eq(t, "source.port", e.Source.Port, 51234)
			eqs(t, "email.to", e.Email.To, "exfil@evil.example", "backup@evil.example")
			eq(t, "user.email", e.User.Email, "carol@contoso.com")
			eq(t, "user.domain", e.User.Domain, "contoso.com")
			eq(t, "outcome", e.Event.Outcome, "success")
			eq(t, "ts", e.Timestamp, time.Date(2024, 3, 11, 14, 2, 55, 0, time.UTC))
		}},
		{"o365 azure ad login", "o365.jsonl", 1, SourceO365, func(t *testing.T, e event.Event) {
			eqs(t, "category", e.Event.Category, "authentication")
			eq(t, "outcome", e.Event.Outcome, "success")
			eq(t, "user_agent", e.UserAgent.Original, "Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0")
		}},
		{"o365 onedrive download", "o365.jsonl", 2, SourceO365, func(t *testing.T, e event.Event) {
			eqs(t, "category", e.Event.Category, "file")
			eqs(t, "type", e.Event.Type, "access")
			eq(t, "file.name", e.File.Name, "payroll-2024.xlsx")
			eq(t, "file.extension", e.File.Extension, "xlsx")
			eq(t, "url.domain", e.URL.Domain, "contoso-my.sharepoint.com")
		}},
		{"signin azure monitor failure", "signin.jsonl", 0, SourceSignIn, func(t *testing.T, e event.Event) {
			eq(t, "id", e.Event.ID, event.StableID("ev-", SourceSignIn, "6a5b4c3d-2e1f-4a09-b8c7-d6e5f4a3b2c1"))
			eq(t, "organization.id", e.Organization.ID, "8e1f3c5a-7b9d-4e2f-a6c8-0d1e2f3a4b5c")
			eq(t, "outcome", e.Event.Outcome, "failure")
			eq(t, "user.name", e.User.Name, "dave@fabrikam.com")
			eq(t, "source.ip", e.Source.IP, "198.51.100.200")
			eq(t, "geo country", e.Source.Geo.CountryISOCode, "NL")
			eq(t, "geo city", e.Source.Geo.CityName, "Amsterdam")
			eq(t, "geo lat", e.Source.Geo.Location.Lat, 52.3676)
		}},
		{"signin graph success", "signin.jsonl", 1, SourceSignIn, func(t *testing.T, e event.Event) {
			eq(t, "outcome", e.Event.Outcome, "success")
			eq(t, "organization.id (topic tenant)", e.Organization.ID, "")
			eq(t, "user.id", e.User.ID, "d1c2b3a4-9e8f-4d7c-6b5a-493827160514")
			eq(t, "geo region", e.Source.Geo.RegionName, "Washington")
		}},
		{"okta failed session start", "okta.jsonl", 0, SourceOkta, func(t *testing.T, e event.Event) {
			eq(t, "id", e.Event.ID, event.StableID("ev-", SourceOkta, "5b3c2a1d-0e9f-11ee-8c7b-6d5e4f3a2b1c"))
			eq(t, "action", e.Event.Action, "user.session.start")
			eq(t, "outcome", e.Event.Outcome, "failure")
			eq(t, "user.name", e.User.Name, "frank@acme.example")
			eq(t, "source.ip", e.Source.IP, "203.0.113.9")
			eq(t, "geo country", e.Source.Geo.CountryName, "Germany")
			eqs(t, "related.ip", e.Related.IP, "203.0.113.9", "10.20.30.40")
			eq(t, "vendor", vendor(e, "okta", "legacyEventType"), any("core.user_auth.login_failed"))
		}},
		{"winlogbeat 4720 user created", "windows_winlogbeat.jsonl", 0, SourceWindows, func(t *testing.T, e event.Event) {
			eq(t, "code", e.Event.Code, "4720")
			eq(t, "dataset", e.Event.Dataset, "windows.security")
			eqs(t, "category", e.Event.Category, "iam")
			eqs(t, "type", e.Event.Type, "user", "creation")
			eq(t, "user.name", e.User.Name, "Administrator")
			eq(t, "user.target.name", e.User.Target.Name, "svc-backup2")
			eq(t, "host.name", e.Host.Name, "DC01.corp.example")
			eq(t, "outcome", e.Event.Outcome, "success")
			eq(t, "winlog.event_id", vendor(e, "winlog", "event_id"), any("4720"))
			eq(t, "winlog.event_data", vendor(e, "winlog", "event_data", "PrimaryGroupId"), any("513"))
			eq(t, "id", e.Event.ID, event.StableID("ev-", SourceWindows, "DC01.corp.example", "Security", "873221", "4720"))
		}},
		{"winlogbeat sysmon 1", "windows_winlogbeat.jsonl", 1, SourceWindows, func(t *testing.T, e event.Event) {
			eq(t, "dataset", e.Event.Dataset, "windows.sysmon")
			eqs(t, "category", e.Event.Category, "process")
			eq(t, "process.name", e.Process.Name, "powershell.exe")
			eq(t, "process.pid", e.Process.PID, int64(7312))
			eq(t, "process.parent.name", e.Process.Parent.Name, "WINWORD.EXE")
			eq(t, "user.name", e.User.Name, "gina")
			eq(t, "user.domain", e.User.Domain, "CORP")
		}},
		{"winlogbeat 4625", "windows_winlogbeat.jsonl", 2, SourceWindows, func(t *testing.T, e event.Event) {
			eq(t, "outcome", e.Event.Outcome, "failure")
			eq(t, "user.name", e.User.Name, "administrator")
			eq(t, "source.ip", e.Source.IP, "198.51.100.66")
			eq(t, "source.port", e.Source.Port, 50122)
		}},
		{"flat 4732 member added to group", "windows_flat.jsonl", 0, SourceWindows, func(t *testing.T, e event.Event) {
			eqs(t, "type", e.Event.Type, "group", "change")
			eq(t, "user.name", e.User.Name, "helpdesk1")
			eq(t, "user.target.name", e.User.Target.Name, "Harry Moss")
			eq(t, "user.target.id", e.User.Target.ID, "S-1-5-21-1004336348-1177238915-682003330-1733")
			eq(t, "group", vendor(e, "winlog", "event_data", "TargetUserName"), any("Administrators"))
			eq(t, "record id", vendor(e, "winlog", "record_id"), any("5512901"))
			eq(t, "event_data RecordNumber as string", vendor(e, "winlog", "event_data", "RecordNumber"), any("5512901"))
		}},
		{"flat 4688 process", "windows_flat.jsonl", 1, SourceWindows, func(t *testing.T, e event.Event) {
			eq(t, "process.pid (hex)", e.Process.PID, int64(0x1a2c))
			eq(t, "process.name", e.Process.Name, "vssadmin.exe")
			eq(t, "parent.pid", e.Process.Parent.PID, int64(0x11f0))
			eq(t, "command_line", e.Process.CommandLine, "vssadmin.exe delete shadows /all /quiet")
		}},
		{"flat 7045 service", "windows_flat.jsonl", 2, SourceWindows, func(t *testing.T, e event.Event) {
			eqs(t, "category", e.Event.Category, "configuration")
			eq(t, "dataset", e.Event.Dataset, "windows.system")
			eq(t, "service", vendor(e, "winlog", "event_data", "ServiceName"), any("PSEXESVC"))
		}},
		{"flat sysmon 3", "windows_flat.jsonl", 3, SourceWindows, func(t *testing.T, e event.Event) {
			eqs(t, "category", e.Event.Category, "network")
			eq(t, "destination", e.Destination.IP, "203.0.113.80")
			eq(t, "destination.domain", e.Destination.Domain, "c2.badcdn.example")
			eq(t, "direction", e.Network.Direction, "egress")
			eq(t, "transport", e.Network.Transport, "tcp")
		}},
		{"evtx sysmon 11", "windows_flat.jsonl", 4, SourceWindows, func(t *testing.T, e event.Event) {
			eqs(t, "category", e.Event.Category, "file")
			eq(t, "file.extension", e.File.Extension, "dll")
			eq(t, "file.directory", e.File.Directory, `C:\ProgramData\Updater`)
			eq(t, "user", e.User.Name, "helpdesk1")
			eq(t, "ProcessId as string", vendor(e, "winlog", "event_data", "ProcessId"), any("6612"))
		}},
		{"sshd publickey accepted", "auth.log", 0, SourceSyslog, func(t *testing.T, e event.Event) {
			eq(t, "ts", e.Timestamp, time.Date(2024, 3, 3, 8, 14, 2, 0, time.UTC))
			eq(t, "dataset", e.Event.Dataset, "system.auth")
			eq(t, "outcome", e.Event.Outcome, "success")
			eq(t, "user.name", e.User.Name, "deploy")
			eq(t, "source.ip", e.Source.IP, "10.1.4.22")
			eq(t, "source.port", e.Source.Port, 51622)
			eq(t, "host.name", e.Host.Name, "bastion-1")
			eq(t, "ssh.method", vendor(e, "system", "auth", "ssh", "method"), any("publickey"))
			eq(t, "syslog.pid", vendor(e, "syslog", "pid"), any(21877.0))
			eq(t, "id", e.Event.ID, lineID(t, SourceSyslog, "auth.log", 1))
		}},
		{"sshd failed invalid user", "auth.log", 1, SourceSyslog, func(t *testing.T, e event.Event) {
			eq(t, "outcome", e.Event.Outcome, "failure")
			eq(t, "user.name", e.User.Name, "oracle")
			eq(t, "invalid", vendor(e, "system", "auth", "ssh", "invalid_user"), any(true))
			eq(t, "method", vendor(e, "system", "auth", "ssh", "method"), any("password"))
		}},
		{"sshd invalid user", "auth.log", 2, SourceSyslog, func(t *testing.T, e event.Event) {
			eq(t, "outcome", e.Event.Outcome, "failure")
			eq(t, "user.name", e.User.Name, "admin")
			eq(t, "source.port", e.Source.Port, 40230)
		}},
		{"sudo command", "auth.log", 4, SourceSyslog, func(t *testing.T, e event.Event) {
			eq(t, "user.name", e.User.Name, "alice")
			eq(t, "sudo.command", vendor(e, "system", "auth", "sudo", "command"), any("/usr/bin/cat /etc/shadow"))
			eq(t, "process.command_line", e.Process.CommandLine, "/usr/bin/cat /etc/shadow")
			eq(t, "outcome", e.Event.Outcome, "success")
		}},
		{"sudo wrong password", "auth.log", 5, SourceSyslog, func(t *testing.T, e event.Event) {
			eq(t, "outcome", e.Event.Outcome, "failure")
		}},
		{"su to root", "auth.log", 6, SourceSyslog, func(t *testing.T, e event.Event) {
			eq(t, "user.name", e.User.Name, "alice")
			eq(t, "user.target.name", e.User.Target.Name, "root")
		}},
		{"useradd", "auth.log", 7, SourceSyslog, func(t *testing.T, e event.Event) {
			eqs(t, "category", e.Event.Category, "iam")
			eqs(t, "type", e.Event.Type, "user", "creation")
			eq(t, "user.target.name", e.User.Target.Name, "mallory")
			eq(t, "uid", vendor(e, "system", "auth", "useradd", "uid"), any("1002"))
		}},
		{"usermod group", "auth.log", 9, SourceSyslog, func(t *testing.T, e event.Event) {
			eqs(t, "type", e.Event.Type, "group", "change")
			eq(t, "group", vendor(e, "system", "auth", "usermod", "group"), any("sudo"))
		}},
		{"rfc3164 with pri and ipv6", "auth.log", 10, SourceSyslog, func(t *testing.T, e event.Event) {
			eq(t, "source.ip", e.Source.IP, "2001:db8::7")
			eq(t, "facility", vendor(e, "syslog", "facility", "name"), any("auth"))
			eq(t, "severity", vendor(e, "syslog", "severity", "name"), any("info"))
		}},
		{"rfc5424 sshd", "auth.log", 11, SourceSyslog, func(t *testing.T, e event.Event) {
			eq(t, "ts", e.Timestamp, time.Date(2024, 3, 3, 7, 20, 0, 123456000, time.UTC))
			eq(t, "user.name", e.User.Name, "bob")
			eq(t, "host.name", e.Host.Name, "web-2.example.net")
			eq(t, "sd", vendor(e, "syslog", "structured_data", "meta", "sequenceId"), any("17"))
			eq(t, "facility", vendor(e, "syslog", "facility", "name"), any("authpriv"))
		}},
		{"rfc5424 cron", "auth.log", 12, SourceSyslog, func(t *testing.T, e event.Event) {
			eq(t, "dataset", e.Event.Dataset, "system.syslog")
			eq(t, "message", e.Message, "(root) CMD (/usr/local/bin/backup.sh)")
			eq(t, "process.name", e.Process.Name, "cron")
		}},
		{"zeek conn", "zeek.jsonl", 0, SourceZeek, func(t *testing.T, e event.Event) {
			eq(t, "dataset", e.Event.Dataset, "zeek.conn")
			eq(t, "source.ip", e.Source.IP, "10.10.5.21")
			eq(t, "destination.port", e.Destination.Port, 443)
			eq(t, "network.bytes", e.Network.Bytes, int64(59633))
			eq(t, "direction", e.Network.Direction, "outbound")
			eq(t, "community_id", e.Network.CommunityID, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=")
			eq(t, "ts", e.Timestamp, time.Date(2024, 3, 3, 8, 5, 1, 482912000, time.UTC))
		}},
		{"zeek dns", "zeek.jsonl", 1, SourceZeek, func(t *testing.T, e event.Event) {
			eq(t, "dns.question.name", e.DNS.Question.Name, "update.badcdn.example")
			eq(t, "dns.question.type", e.DNS.Question.Type, "A")
			eqs(t, "answers", e.DNS.Answers, "198.51.100.7")
		}},
		{"zeek http", "zeek.jsonl", 2, SourceZeek, func(t *testing.T, e event.Event) {
			eq(t, "http.method", e.HTTP.Method, "GET")
			eq(t, "status", e.HTTP.StatusCode, 200)
			eq(t, "url.path", e.URL.Path, "/dl/stage2.bin")
			eq(t, "url.full", e.URL.Full, "http://update.badcdn.example/dl/stage2.bin?id=77")
			eq(t, "user_agent", e.UserAgent.Original, "Microsoft BITS/7.8")
		}},
		{"zeek ssl without _path", "zeek.jsonl", 3, SourceZeek, func(t *testing.T, e event.Event) {
			eq(t, "dataset", e.Event.Dataset, "zeek.ssl")
			eq(t, "tls.server_name", e.TLS.ServerName, "c2.badcdn.example")
			eq(t, "tls.version", e.TLS.Version, "1.3")
			eq(t, "ja3", e.TLS.JA3, "e7d705a3286e19ea42f587b344ee6865")
		}},
		{"ecs pass-through", "ecs.jsonl", 0, SourceECS, func(t *testing.T, e event.Event) {
			eq(t, "id", e.Event.ID, "fw-000123")
			eq(t, "dataset", e.Event.Dataset, "paloalto.traffic")
			eq(t, "organization.id", e.Organization.ID, "tenant-blue")
			eq(t, "vendor", vendor(e, "panw", "rule"), any("deny-rdp-inbound"))
			eq(t, "created", e.Event.Created, recTime)
			eqs(t, "related.ip", e.Related.IP, "198.51.100.3", "10.0.0.5")
		}},
		{"ecs without id", "ecs.jsonl", 1, SourceECS, func(t *testing.T, e event.Event) {
			eq(t, "id", e.Event.ID, lineID(t, SourceECS, "ecs.jsonl", 2))
			eq(t, "module", e.Event.Module, "ecs")
			eq(t, "process.pid", e.Process.PID, int64(4412))
		}},
	}
	r := NewRegistry()
	cache := map[string][]event.Event{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs, ok := cache[tc.file]
			if !ok {
				evs = eventsOf(t, r, tc.file, tc.source)
				cache[tc.file] = evs
			}
			if tc.index >= len(evs) {
				t.Fatalf("%s has %d events, want index %d", tc.file, len(evs), tc.index)
			}
			tc.check(t, evs[tc.index])
		})
	}
}

func TestBadInput(t *testing.T) {
	r := NewRegistry(WithMaxRecordBytes(4096))
	big := []byte(`{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","x":"` + strings.Repeat("a", 5000) + `"}`)
	cases := []struct {
		name, source, value, reason string
	}{
		{"garbage auto", "", "\x00\x01binary junk", ReasonUnknownSource},
		{"garbage json source", SourceCloudTrail, "not json at all", ReasonUnparseable},
		{"truncated json", SourceOkta, `{"uuid":"x","published":"2024-01-01T00:00:00Z"`, ReasonUnparseable},
		{"truncated json auto", "", `{"eventVersion":"1.08","eventSource":"iam.amazonaws.com","eventName":"X"`, ReasonUnparseable},
		{"empty", SourceZeek, "   ", ReasonUnparseable},
		{"json array", SourceO365, `[1,2]`, ReasonInvalid},
		{"unknown source", "gsuite", `{}`, ReasonUnknownSource},
		{"undetectable json", "auto", `{"hello":"world"}`, ReasonUnknownSource},
		{"oversized", SourceCloudTrail, string(big), ReasonOversized},
		{"cloudtrail no eventTime", SourceCloudTrail, `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"a"}`, ReasonNoTimestamp},
		{"cloudtrail bad eventTime in Records", SourceCloudTrail, `{"Records":[{"eventTime":"yesterday","eventID":"a"}]}`, ReasonNoTimestamp},
		{"cloudtrail Records not array", SourceCloudTrail, `{"Records":{}}`, ReasonInvalid},
		{"o365 no CreationTime", SourceO365, `{"Id":"x","Workload":"Exchange","Operation":"Send"}`, ReasonNoTimestamp},
		{"signin audit log category", SourceSignIn, `{"time":"2024-01-01T00:00:00Z","category":"AuditLogs","properties":{}}`, ReasonInvalid},
		{"signin no time", SourceSignIn, `{"userPrincipalName":"a@b.c","createdDateTime":""}`, ReasonNoTimestamp},
		{"okta no published", SourceOkta, `{"uuid":"x","eventType":"user.session.start"}`, ReasonNoTimestamp},
		{"windows no EventID", SourceWindows, `{"Channel":"Security","@timestamp":"2024-01-01T00:00:00Z"}`, ReasonInvalid},
		{"windows no time", SourceWindows, `{"EventID":4624,"Channel":"Security","Hostname":"h"}`, ReasonNoTimestamp},
		{"winlogbeat no time", SourceWindows, `{"winlog":{"event_id":4624,"channel":"Security"}}`, ReasonNoTimestamp},
		{"zeek no ts", SourceZeek, `{"_path":"loaded_scripts","name":"/x.zeek"}`, ReasonNoTimestamp},
		{"ecs no timestamp", SourceECS, `{"event":{"id":"x"}}`, ReasonNoTimestamp},
		{"ecs bad timestamp", SourceECS, `{"@timestamp":"nope","event":{"id":"x"}}`, ReasonNoTimestamp},
		{"ecs wrong type", SourceECS, `{"@timestamp":"2024-01-01T00:00:00Z","event":{"id":5}}`, ReasonInvalid},
		{"ecs truncated", SourceECS, `{"@timestamp":"2024-01-01T00:00:00Z"`, ReasonUnparseable},
		{"syslog not a line", SourceSyslog, "hello world", ReasonUnparseable},
		{"syslog bad pri", SourceSyslog, "<999>Mar  3 08:14:02 h sshd[1]: x", ReasonUnparseable},
		{"rfc5424 nil timestamp", SourceSyslog, "<34>1 - host app - - - msg", ReasonNoTimestamp},
		{"rfc5424 truncated", SourceSyslog, "<34>1 2024-01-01T00:00:00Z host", ReasonUnparseable},
		{"rfc3164 pri no timestamp", SourceSyslog, "<34>hello there", ReasonNoTimestamp},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Parse(tc.source, Record{Value: []byte(tc.value), Time: recTime})
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *parse.Error", err)
			}
			if pe.Reason != tc.reason {
				t.Fatalf("reason = %q (%v), want %q", pe.Reason, err, tc.reason)
			}
		})
	}
}

func TestSyslogYear(t *testing.T) {
	now := func() time.Time { return time.Date(2025, 1, 1, 0, 5, 0, 0, time.UTC) }
	r := NewRegistry(WithClock(now))
	cases := []struct {
		name    string
		recTime time.Time
		line    string
		want    time.Time
	}{
		{"year from record time", time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), "Jun  1 00:00:00 h sshd[1]: Invalid user x from 192.0.2.1", time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"year from clock", time.Time{}, "Jan  1 00:04:00 h app: hi", time.Date(2025, 1, 1, 0, 4, 0, 0, time.UTC)},
		{"december line read in january", time.Time{}, "Dec 31 23:59:59 h app: hi", time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := r.Parse(SourceSyslog, Record{Value: []byte(tc.line), Time: tc.recTime})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "ts", evs[0].Timestamp, tc.want)
		})
	}
	loc := time.FixedZone("CET", 3600)
	r = NewRegistry(WithClock(now), WithSyslogLocation(loc))
	evs, err := r.Parse(SourceSyslog, Record{Value: []byte("Jun  1 10:00:00 h app: hi"), Time: time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "ts in location", evs[0].Timestamp, time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC))
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	eqs(t, "sources", r.Sources(), SourceCloudTrail, SourceSignIn, SourceECS, SourceO365, SourceOkta, SourceSyslog, SourceWindows, SourceZeek)
	eq(t, "max", r.MaxRecordBytes(), DefaultMaxRecordBytes)
	// Replays give the same ids; ids differ across offsets when the source
	// has none of its own.
	line := []byte("Mar  3 08:14:02 h app: hi")
	a := mustParse(t, r, "auto", Record{Value: line, Topic: "syslog", Offset: 7, Time: recTime})
	b := mustParse(t, r, "auto", Record{Value: line, Topic: "syslog", Offset: 7, Time: recTime.Add(time.Hour)})
	c := mustParse(t, r, "auto", Record{Value: line, Topic: "syslog", Offset: 8, Time: recTime})
	eq(t, "replay id", a[0].Event.ID, b[0].Event.ID)
	if a[0].Event.ID == c[0].Event.ID {
		t.Error("different offsets gave the same id")
	}
	eq(t, "origin offset", a[0].Origin.Offset, int64(7))
	// Topic tenant applies unless the record has its own.
	o := mustParse(t, r, SourceOkta, Record{Value: readRecords(t, "okta.jsonl")[0].Value, Tenant: "acme"})
	eq(t, "okta tenant from topic", o[0].Organization.ID, "acme")
	s := mustParse(t, r, SourceSignIn, Record{Value: readRecords(t, "signin.jsonl")[0].Value, Tenant: "acme"})
	eq(t, "signin tenant from record", s[0].Organization.ID, "8e1f3c5a-7b9d-4e2f-a6c8-0d1e2f3a4b5c")
	ct := mustParse(t, r, SourceCloudTrail, Record{Value: readRecords(t, "cloudtrail_assumedrole.json")[0].Value, Tenant: "acme"})
	eq(t, "cloudtrail tenant from topic", ct[0].Organization.ID, "acme")
	// A custom parser replaces a built-in one.
	r2 := NewRegistry(WithParser(stubParser{}))
	evs, err := r2.Parse(SourceOkta, Record{})
	if err != nil || len(evs) != 1 || evs[0].Event.ID != "stub" {
		t.Fatalf("custom parser not used: %v %v", evs, err)
	}
}

type stubParser struct{}

func (stubParser) Source() string { return SourceOkta }
func (stubParser) Append(dst []event.Event, _ Record) ([]event.Event, error) {
	return append(dst, event.Event{Event: event.Meta{ID: "stub"}}), nil
}

// Append adds a record's events after those already in the slice, and
// leaves the slice as it was when the record fails, even part way through a
// CloudTrail file.
func TestRegistryAppend(t *testing.T) {
	r := NewRegistry()
	okta := readRecords(t, "okta.jsonl")[0].Value
	ctFile := []byte(`{"Records":[` + string(readRecords(t, "cloudtrail_assumedrole.json")[0].Value) + `,` +
		string(readRecords(t, "cloudtrail_assumedrole.json")[0].Value) + `]}`)
	ctBad := []byte(`{"Records":[` + string(readRecords(t, "cloudtrail_assumedrole.json")[0].Value) + `,42]}`)
	tests := []struct {
		name    string
		source  string
		value   []byte
		wantErr bool
		added   int
	}{
		{"one event", SourceOkta, okta, false, 1},
		{"auto-detected", SourceAuto, okta, false, 1},
		{"cloudtrail file", SourceCloudTrail, ctFile, false, 2},
		{"cloudtrail file failing at its second record", SourceCloudTrail, ctBad, true, 0},
		{"unparseable", SourceOkta, []byte(`{"`), true, 0},
		{"syslog", SourceSyslog, []byte("<38>Jan 12 10:01:02 web1 sshd[411]: Failed password for root from 203.0.113.9 port 22 ssh2"), false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]event.Event, 1, 8)
			dst[0].Event.ID = "kept"
			got, err := r.Append(dst, tt.source, Record{Value: tt.value, Topic: "t"})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if len(got) != 1+tt.added || got[0].Event.ID != "kept" {
				t.Fatalf("got %d events (first %q), want the kept one and %d more", len(got), got[0].Event.ID, tt.added)
			}
			if tt.wantErr && got[:cap(got)][1].Event.ID != "" {
				t.Errorf("a failed record left an event behind the slice: %q", got[:cap(got)][1].Event.ID)
			}
			for _, e := range got[1:] {
				if e.Event.ID == "" || e.Event.Dataset == "" {
					t.Errorf("appended event without id or dataset: %+v", e.Event)
				}
			}
		})
	}
}

// Data lakes that lower-case column names deliver Okta's top-level keys in
// lower case; the parser reads both and hands detections the API's keys.
func TestOktaLowerCasedKeys(t *testing.T) {
	r := NewRegistry()
	rec := Record{Value: []byte(`{"uuid":"u-1","published":"2022-12-13 00:58:19.811","eventtype":"user.mfa.factor.reset_all",` +
		`"legacyeventtype":"core.user.factor.reset_all","displaymessage":"Reset all factors for user",` +
		`"debugcontext":{"debugData":{"requestUri":"/api/v1/users"}},"outcome":{"result":"SUCCESS"},` +
		`"actor":{"alternateId":"admin@acme.example","type":"User"}}`)}
	e := mustParse(t, r, SourceOkta, rec)[0]
	eq(t, "action", e.Event.Action, "user.mfa.factor.reset_all")
	eq(t, "message", e.Message, "Reset all factors for user")
	eq(t, "ts", e.Timestamp, time.Date(2022, 12, 13, 0, 58, 19, 811e6, time.UTC))
	eq(t, "vendor legacyEventType", vendor(e, "okta", "legacyEventType"), any("core.user.factor.reset_all"))
	eq(t, "vendor debugContext", vendor(e, "okta", "debugContext", "debugData", "requestUri"), any("/api/v1/users"))
	eq(t, "lower-case key gone", vendor(e, "okta", "eventtype"), nil)
	if src, ok := DetectSource(rec.Value); !ok || src != SourceOkta {
		t.Errorf("detected %q, want %q", src, SourceOkta)
	}
}

// TestRecordLocation checks that a record's Location decides timestamps
// written without an offset, and only those.
func TestRecordLocation(t *testing.T) {
	now := func() time.Time { return time.Date(2025, 1, 1, 0, 5, 0, 0, time.UTC) }
	r := NewRegistry(WithClock(now))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	recTime := time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		source string
		value  string
		loc    *time.Location
		want   time.Time
	}{
		{"rfc3164 in the topic's zone (CEST)", SourceSyslog, "Jun  1 10:00:00 h app: hi", berlin, time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)},
		{"rfc3164 without a zone is UTC", SourceSyslog, "Jun  1 10:00:00 h app: hi", nil, time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)},
		{"rfc5424 keeps its offset", SourceSyslog, "<34>1 2024-06-01T10:00:00Z h app - - - hi", berlin, time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)},
		{"windows TimeCreated in the topic's zone (CET)", SourceWindows,
			`{"EventID":4625,"Channel":"Security","Computer":"ws1","TimeCreated":"2024-01-15 09:30:00"}`, berlin,
			time.Date(2024, 1, 15, 8, 30, 0, 0, time.UTC)},
		{"windows TimeCreated without a zone is UTC", SourceWindows,
			`{"EventID":4625,"Channel":"Security","Computer":"ws1","TimeCreated":"2024-01-15 09:30:00"}`, nil,
			time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC)},
		{"windows @timestamp is UTC whatever the zone", SourceWindows,
			`{"EventID":4625,"Channel":"Security","Computer":"ws1","@timestamp":"2024-01-15T09:30:00Z","TimeCreated":"2024-01-15 10:30:00"}`, berlin,
			time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := r.Parse(tc.source, Record{Value: []byte(tc.value), Time: recTime, Location: tc.loc})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "timestamp", evs[0].Timestamp, tc.want)
		})
	}
}
