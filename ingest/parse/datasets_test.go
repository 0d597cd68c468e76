package parse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/testenv"
)

func reasonOf(err error) string {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return ""
}

// parseLines parses every line of a JSON-lines file and returns the
// events and the reasons of the failures, keyed by 1-based line.
func parseLines(t *testing.T, r *Registry, path, source string) (evs map[int]event.Event, failed map[int]string, lines int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	evs, failed = map[int]event.Event{}, map[int]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		lines++
		rec := Record{Value: bytes.Clone(sc.Bytes()), Topic: "datasets", Offset: int64(lines), Time: recTime, File: filepath.Base(path), Line: lines}
		got, err := r.Parse(source, rec)
		if err != nil {
			failed[lines] = reasonOf(err)
			continue
		}
		if len(got) != 1 {
			t.Fatalf("%s:%d: %d events, want 1", path, lines, len(got))
		}
		checkInvariants(t, got[0])
		evs[lines] = got[0]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return evs, failed, lines
}

const otrfWin = "otrf-security-datasets/datasets/atomic/windows"

func TestDatasetsOTRFWindows(t *testing.T) {
	dir := testenv.Datasets(t)
	files, _ := filepath.Glob(filepath.Join(dir, otrfWin, "*", "host", "*", "*.json"))
	if len(files) != 6 {
		t.Fatalf("found %d OTRF Windows files, want 6", len(files))
	}
	r := NewRegistry()
	byName := map[string][]event.Event{}
	total := 0
	for _, path := range files {
		evs, failed, lines := parseLines(t, r, path, "auto")
		if len(failed) > 0 || len(evs) != lines {
			t.Errorf("%s: %d of %d lines parsed, failures %v", filepath.Base(path), len(evs), lines, failed)
		}
		total += lines
		keys := make([]int, 0, len(evs))
		for k := range evs {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		for _, k := range keys {
			byName[filepath.Base(filepath.Dir(path))] = append(byName[filepath.Base(filepath.Dir(path))], evs[k])
		}
	}
	eq(t, "events in the 6 OTRF Windows files (MANIFEST)", total, 286+424+1166+884+506+122)

	find := func(ds string, pred func(e event.Event) bool) event.Event {
		t.Helper()
		for _, e := range byName[ds] {
			if pred(e) {
				return e
			}
		}
		t.Fatalf("%s: no matching event", ds)
		return event.Event{}
	}
	t.Run("sysmon 1 reg add logon script", func(t *testing.T) {
		e := find("cmd_userinitmprlogonscript_batch", func(e event.Event) bool {
			return e.Event.Code == "1" && strings.Contains(e.Process.CommandLine, "UserInitMprLogonScript")
		})
		eq(t, "dataset", e.Event.Dataset, "windows.sysmon")
		eqs(t, "category", e.Event.Category, "process")
		eq(t, "process.name", e.Process.Name, "reg.exe")
		eq(t, "process.pid", e.Process.PID, int64(8684))
		eq(t, "parent", e.Process.Parent.Executable, `C:\Windows\System32\cmd.exe`)
		eq(t, "user.name", e.User.Name, "wardog")
		eq(t, "user.domain", e.User.Domain, "WORKSTATION5")
		eq(t, "host.name", e.Host.Name, "WORKSTATION5")
		// No @timestamp in this file: Sysmon's UtcTime is the event time.
		eq(t, "timestamp", e.Timestamp.Format("2006-01-02T15:04:05.000Z"), "2020-10-20T02:47:08.745Z")
		eq(t, "event_data", vendor(e, "winlog", "event_data", "IntegrityLevel"), any("High"))
	})
	t.Run("sysmon 13 registry value set", func(t *testing.T) {
		e := find("cmd_userinitmprlogonscript_batch", func(e event.Event) bool {
			return e.Event.Code == "13" && strings.Contains(getS(e.Vendor, "winlog", "event_data", "TargetObject"), "UserInitMprLogonScript")
		})
		eqs(t, "category", e.Event.Category, "registry")
	})
	t.Run("1102 audit log cleared", func(t *testing.T) {
		e := find("cmd_userinitmprlogonscript_batch", func(e event.Event) bool { return e.Event.Code == "1102" })
		eq(t, "action", e.Event.Action, "audit-log-cleared")
		eqs(t, "category", e.Event.Category, "configuration")
	})
	t.Run("4624 network logon", func(t *testing.T) {
		e := find("covenant_copy_smb_CreateRequest", func(e event.Event) bool {
			return e.Event.Code == "4624" && e.User.Name == "pgustavo"
		})
		eq(t, "source.ip", e.Source.IP, "172.18.39.5")
		eq(t, "user.domain", e.User.Domain, "THESHIRE.LOCAL")
		eq(t, "outcome", e.Event.Outcome, "success")
		eq(t, "logon type", vendor(e, "winlog", "event_data", "LogonType"), any("3"))
		// RecordNumber gives a source id.
		if getS(e.Vendor, "winlog", "record_id") == "" {
			t.Error("record_id not taken from RecordNumber")
		}
	})
	t.Run("5145 admin share write", func(t *testing.T) {
		e := find("covenant_copy_smb_CreateRequest", func(e event.Event) bool {
			return e.Event.Code == "5145" && strings.Contains(e.File.Path, "GruntHTTP.exe")
		})
		eqs(t, "category", e.Event.Category, "network", "file")
		eq(t, "file.name", e.File.Name, "GruntHTTP.exe")
	})
	t.Run("7045 service installed", func(t *testing.T) {
		e := find("cmd_psexec_lsa_secrets_dump", func(e event.Event) bool { return e.Event.Code == "7045" })
		eq(t, "action", e.Event.Action, "service-installed")
		eq(t, "dataset", e.Event.Dataset, "windows.system")
	})
	t.Run("sysmon 10 process access keeps TargetImage", func(t *testing.T) {
		e := find("psh_cmstp_execution_bypassuac", func(e event.Event) bool { return e.Event.Code == "10" })
		eqs(t, "category", e.Event.Category, "process")
		if getS(e.Vendor, "winlog", "event_data", "TargetImage") == "" || getS(e.Vendor, "winlog", "event_data", "GrantedAccess") == "" {
			t.Error("TargetImage/GrantedAccess missing from winlog.event_data")
		}
	})
	t.Run("sysmon 22 dns", func(t *testing.T) {
		e := find("cmd_bitsadmin_download_psh_script", func(e event.Event) bool { return e.Event.Code == "22" })
		if e.DNS.Question.Name == "" {
			t.Error("dns.question.name empty")
		}
	})
}

func TestDatasetsOTRFZeek(t *testing.T) {
	dir := testenv.Datasets(t)
	path := filepath.Join(dir, "otrf-security-datasets/datasets/compound/apt29/day2/zeek/combined_zeek.log")
	evs, failed, lines := parseLines(t, NewRegistry(), path, "auto")
	eq(t, "lines (MANIFEST)", lines, 5664)
	// loaded_scripts records carry no ts; all others parse.
	eq(t, "failed (loaded_scripts)", len(failed), 2880)
	for line, reason := range failed {
		if reason != ReasonNoTimestamp {
			t.Fatalf("line %d: reason %q", line, reason)
		}
	}
	eq(t, "parsed", len(evs), lines-2880)
	var http, dns, ssl, conn *event.Event
	for k := range evs {
		e := evs[k]
		switch {
		case e.Event.Dataset == "zeek.http" && http == nil:
			http = &e
		case e.Event.Dataset == "zeek.dns" && e.DNS.Question.Name == "ctldl.windowsupdate.com" && dns == nil:
			dns = &e
		case e.Event.Dataset == "zeek.ssl" && getS(e.Vendor, "zeek", "ssl", "uid") == "CWL8Wx2FRSIRuS24f1":
			ssl = &e
		case e.Event.Dataset == "zeek.conn" && getS(e.Vendor, "zeek", "conn", "uid") == "CyLse01Jig9yHofDXc":
			conn = &e
		}
	}
	if http == nil || dns == nil || ssl == nil || conn == nil {
		t.Fatalf("missing records: http=%v dns=%v ssl=%v conn=%v", http != nil, dns != nil, ssl != nil, conn != nil)
	}
	eq(t, "http.method", http.HTTP.Method, "GET")
	eq(t, "url.path", http.URL.Path, "/m")
	eq(t, "destination", http.Destination.IP+":"+itoa(http.Destination.Port), "192.168.0.4:8080")
	eq(t, "source.ip", http.Source.IP, "10.0.1.5")
	eq(t, "dns type", dns.DNS.Question.Type, "A")
	eq(t, "tls.version", ssl.TLS.Version, "1.2")
	eq(t, "conn transport", conn.Network.Transport, "udp")
	eq(t, "conn protocol", conn.Network.Protocol, "dns")
	eq(t, "conn bytes", conn.Network.Bytes, int64(82+207))
	eq(t, "conn ts", conn.Timestamp.UnixMicro(), int64(1588316619797806))
}

func fmtAny(v any) string { b, _ := json.Marshal(v); return string(b) }

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestDatasetsSigma parses every Sigma regression event (evtx-to-JSON
// layout, some files with several concatenated objects).
func TestDatasetsSigma(t *testing.T) {
	dir := testenv.Datasets(t)
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, "sigma", "regression_data"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "sigma event files", len(files), 64)
	r := NewRegistry()
	objects, parsed := 0, 0
	var pipe *event.Event
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		for i := 0; ; i++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			objects++
			if src, ok := DetectSource(raw); !ok || src != SourceWindows {
				t.Errorf("%s[%d]: detected %q", path, i, src)
			}
			evs, err := r.Parse("auto", Record{Value: raw, File: path, Line: i + 1, Time: recTime})
			if err != nil {
				t.Errorf("%s[%d]: %v", path, i, err)
				continue
			}
			checkInvariants(t, evs[0])
			parsed++
			if strings.Contains(path, "pipe_created_win_exploit_redsun_named_pipe") {
				pipe = &evs[0]
			}
		}
	}
	eq(t, "parsed == objects", parsed, objects)
	if objects < 86 {
		t.Errorf("objects = %d, want >= 86 (MANIFEST)", objects)
	}
	if pipe == nil {
		t.Fatal("RedSun pipe event not found")
	}
	eq(t, "code", pipe.Event.Code, "17")
	eq(t, "host", pipe.Host.Name, "swachchhanda")
	eq(t, "process.name", pipe.Process.Name, "RedSun.exe")
	eq(t, "user.name", pipe.User.Name, "xodih")
	eq(t, "ts", pipe.Timestamp.Format("2006-01-02T15:04:05.000000Z"), "2026-04-17T05:24:53.088849Z")
	eq(t, "id", pipe.Event.ID, event.StableID("ev-", SourceWindows, "swachchhanda", "Microsoft-Windows-Sysmon/Operational", "83237", "17"))
	eq(t, "PipeName", vendor(*pipe, "winlog", "event_data", "PipeName"), any(`\REDSUN`))
}

// pantherLog is one labelled test event of a panther-analysis rule.
type pantherLog struct {
	rule, name, source string
	value              []byte
	hasTime            bool
}

// pantherLogs collects the test events of the log types vigil parses.
func pantherLogs(t *testing.T, dir string) []pantherLog {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "panther-analysis", "rules", "*", "*.yml"))
	var out []pantherLog
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var rule struct {
			LogTypes []string `yaml:"LogTypes"`
			Tests    []struct {
				Name string         `yaml:"Name"`
				Log  map[string]any `yaml:"Log"`
			} `yaml:"Tests"`
		}
		if err := yaml.Unmarshal(b, &rule); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, tc := range rule.Tests {
			lt, _ := tc.Log["p_log_type"].(string)
			if lt == "" && len(rule.LogTypes) == 1 {
				lt = rule.LogTypes[0]
			}
			var source string
			timeKeys := []string{}
			switch {
			case lt == "AWS.CloudTrail":
				source, timeKeys = SourceCloudTrail, []string{"eventTime"}
			case lt == "Okta.SystemLog":
				source, timeKeys = SourceOkta, []string{"published"}
			case strings.HasPrefix(lt, "Microsoft365.Audit"):
				source, timeKeys = SourceO365, []string{"CreationTime"}
			case lt == "Azure.Audit" && strings.HasSuffix(getS(tc.Log, "category"), "SignInLogs"):
				source, timeKeys = SourceSignIn, []string{"time"}
			default:
				continue
			}
			js, err := json.Marshal(tc.Log)
			if err != nil {
				t.Fatalf("%s %s: %v", path, tc.Name, err)
			}
			hasTime := false
			for _, k := range timeKeys {
				// A placeholder such as "..." is no time.
				if v, ok := tc.Log[k]; ok && strings.ContainsAny(fmtAny(v), "0123456789") {
					hasTime = true
				}
			}
			if source == SourceSignIn && getS(tc.Log, "properties", "createdDateTime") != "" {
				hasTime = true
			}
			out = append(out, pantherLog{rule: filepath.Base(path), name: tc.Name, source: source, value: js, hasTime: hasTime})
		}
	}
	return out
}

func TestDatasetsPanther(t *testing.T) {
	dir := testenv.Datasets(t)
	logs := pantherLogs(t, dir)
	r := NewRegistry()
	count := map[string]int{}
	parsed := map[string]int{}
	timed := map[string]int{}
	events := map[string]event.Event{}
	for i, l := range logs {
		count[l.source]++
		if l.hasTime {
			timed[l.source]++
		}
		evs, err := r.Parse(l.source, Record{Value: l.value, Topic: "panther", Offset: int64(i), Time: recTime})
		if err != nil {
			// Test events trimmed to the fields a rule reads may lack the
			// time; nothing else may fail.
			if reasonOf(err) != ReasonNoTimestamp || l.hasTime {
				t.Errorf("%s %q: %v", l.rule, l.name, err)
			}
			continue
		}
		for _, e := range evs {
			checkInvariants(t, e)
		}
		parsed[l.source] += len(evs)
		events[l.rule+"/"+l.name] = evs[0]
		if l.hasTime && l.source != SourceSignIn {
			if src, ok := DetectSource(l.value); ok && src != l.source {
				t.Errorf("%s %q: detected %q, want %q", l.rule, l.name, src, l.source)
			}
		}
	}
	for _, s := range []string{SourceCloudTrail, SourceOkta, SourceO365, SourceSignIn} {
		if count[s] == 0 {
			t.Errorf("no panther test events for %s", s)
		}
		eq(t, s+": parsed == test events with a time field", parsed[s], timed[s])
	}
	t.Logf("panther test events: %v, parsed %v", count, parsed)

	get := func(key string) event.Event {
		t.Helper()
		e, ok := events[key]
		if !ok {
			t.Fatalf("no parsed event %q", key)
		}
		return e
	}
	t.Run("okta admin role assigned", func(t *testing.T) {
		e := get("okta_admin_role_assigned.yml/Admin Access Assigned")
		eq(t, "action", e.Event.Action, "user.account.privilege.grant")
		eq(t, "user.name", e.User.Name, "jack@acme.io")
		eq(t, "user.target.name", e.User.Target.Name, "alice@acme.io")
		eq(t, "source.ip", e.Source.IP, "136.24.229.58")
		eq(t, "geo city", e.Source.Geo.CityName, "San Francisco")
		eq(t, "ts", e.Timestamp.Format("2006-01-02T15:04:05.000Z"), "2020-11-25T21:27:03.496Z")
		eq(t, "id", e.Event.ID, event.StableID("ev-", SourceOkta, "2a992f80-d1ad-4f62-900e-8c68bb72a21b"))
	})
	t.Run("okta lower-cased keys", func(t *testing.T) {
		// The data-lake form: top-level keys in lower case, a published
		// time without a zone.
		e := get("okta_group_admin_role_assigned.yml/Group Privilege Grant")
		eq(t, "action", e.Event.Action, "group.privilege.grant")
		eq(t, "message", e.Message, "Group Privilege granted")
		eq(t, "outcome", e.Event.Outcome, "failure")
		eq(t, "vendor", vendor(e, "okta", "legacyEventType"), any("group.privilege.grant"))
		eq(t, "vendor", vendor(e, "okta", "debugContext", "debugData", "requestUri"), any("/idp/idx/identify"))
		eq(t, "ts", e.Timestamp.Format("2006-01-02T15:04:05.000Z"), "2022-12-13T00:58:19.811Z")
	})
	t.Run("azure high risk sign-in", func(t *testing.T) {
		e := get("azure_high_risk_signin.yml/High Risk During Sign-In")
		eq(t, "user.name", e.User.Name, "john@justice.org")
		eq(t, "organization.id", e.Organization.ID, "tenant-id-123")
		eq(t, "geo country", e.Source.Geo.CountryISOCode, "RU")
		eq(t, "outcome", e.Event.Outcome, "success")
		eq(t, "risk in vendor", vendor(e, "azure", "signinlogs", "properties", "riskLevelDuringSignIn"), any("high"))
	})
	t.Run("m365 external sharing", func(t *testing.T) {
		e := get("microsoft365_external_sharing.yml/Allowed Domain")
		eq(t, "organization.id", e.Organization.ID, "11-22-abc")
		eq(t, "action", e.Event.Action, "AddedToSecureLink")
		eq(t, "user.target.email", e.User.Target.Email, "OUTSIDER@ALLOWEDDOMAIN.COM")
		eq(t, "file.name", e.File.Name, "importantsecrets.docx")
		eq(t, "source.ip", e.Source.IP, "1.2.3.4")
		eq(t, "ts", e.Timestamp.Format("2006-01-02T15:04:05Z"), "2022-12-12T19:31:41Z")
	})
	t.Run("cloudtrail", func(t *testing.T) {
		n := 0
		for k, e := range events {
			if e.Event.Module != "aws" {
				continue
			}
			n++
			if e.Event.Action == "" || e.Cloud.Provider != "aws" {
				t.Errorf("%s: action %q provider %q", k, e.Event.Action, e.Cloud.Provider)
			}
		}
		if n < 50 {
			t.Errorf("only %d CloudTrail events", n)
		}
	})
}
