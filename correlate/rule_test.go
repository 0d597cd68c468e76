package correlate

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/policies/correlations"
)

func TestLoadRulesGood(t *testing.T) {
	rules, err := LoadRules(os.DirFS("testdata"), "good")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, ","); got != "spray,seq,ent,risk" {
		t.Fatalf("rules %s, want spray,seq,ent,risk (disabled left out)", got)
	}
	spray, seq, ent, risk := rules[0], rules[1], rules[2], rules[3]
	if spray.Hop != 5*time.Minute || spray.Severity != event.SeverityLow || spray.Confidence != 50 || spray.File != "good/all_kinds.yaml" {
		t.Errorf("spray defaults: hop %s severity %s confidence %d file %s", spray.Hop, spray.Severity, spray.Confidence, spray.File)
	}
	if seq.Steps[0].MinCount != 1 || seq.Steps[1].MinCount != 2 || seq.Steps[1].Match.Tactics[0] != "defense-evasion" {
		t.Errorf("sequence steps %+v", seq.Steps)
	}
	if ent.MinAlerts != 2 || ent.MinDetections != 1 || ent.Match.Signal == nil || *ent.Match.Signal {
		t.Errorf("entity defaults: %+v", ent)
	}
	if risk.Hop != time.Hour || risk.GroupBy[0] != "field:account" {
		t.Errorf("risk: %+v", risk)
	}
}

func TestLoadRulesBad(t *testing.T) {
	tests := []struct {
		file string
		rule string
		want string
	}{
		{"unknown_kind", "r1", `kind: unknown kind "thresh"`},
		{"no_window", "r1", "window: must be > 0"},
		{"bad_hop", "r1", "hop: must divide window"},
		{"unknown_field", "", "field treshold not found"},
		{"bad_severity", "r1", `severity: unknown severity "severe"`},
		{"bad_group_by", "r1", `group_by: unknown key part "source_ip"`},
		{"bad_glob", "r1", "match: detections: pattern"},
		{"duplicate_id", "r1", "id: duplicate rule id"},
		{"one_step", "r1", "steps: a sequence needs 2 to 16 steps"},
		{"threshold_matches_all", "r1", "match: matches every alert"},
		{"bad_title", "r1", "title: parse template"},
		{"not_yaml", "", "parse: yaml"},
		{"missing_id", "#1", "id: is required"},
		{"sequence_with_window", "r1", "span: must be > 0"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/bad/" + tc.file + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{"rules/" + tc.file + ".yaml": {Data: data}}
			_, err = LoadRules(fsys, "rules")
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q lacks %q", err, tc.want)
			}
			var re *RuleError
			if !errors.As(err, &re) || re.File != "rules/"+tc.file+".yaml" || re.Rule != tc.rule {
				t.Fatalf("error %#v: want a *RuleError for file %s rule %q", re, tc.file, tc.rule)
			}
		})
	}
	t.Run("duplicate id across files", func(t *testing.T) {
		r := []byte("rules:\n  - {id: r1, kind: risk, title: t, group_by: [ip], threshold: 5, window: 10m}\n")
		_, err := LoadRules(fstest.MapFS{"a.yaml": {Data: r}, "b.yaml": {Data: r}}, ".")
		if err == nil || !strings.Contains(err.Error(), "b.yaml: rule \"r1\": id: duplicate rule id, also in a.yaml") {
			t.Fatalf("error %v", err)
		}
	})
}

var detectionIDRe = regexp.MustCompile(`(?s)metadata\s*:=\s*\{.*?"id":\s*"([^"]+)"`)

// detectionIDs reads the detection ids from policies/detections.
func detectionIDs(t *testing.T) []string {
	t.Helper()
	root := os.DirFS("../policies")
	var ids []string
	err := fs.WalkDir(root, "detections", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		if m := detectionIDRe.FindSubmatch(data); m != nil {
			ids = append(ids, string(m[1]))
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		t.Fatalf("read the detection library: %v (found %d ids)", err, len(ids))
	}
	return ids
}

// TestShippedRules loads policies/correlations and checks that every
// detection id it names exists and every glob matches some detection.
func TestShippedRules(t *testing.T) {
	rules, err := LoadRules(correlations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 15 {
		t.Fatalf("%d rules", len(rules))
	}
	ids := detectionIDs(t)
	check := func(r Rule, where string, m Match) {
		for _, d := range m.Detections {
			found := false
			for _, id := range ids {
				if ok, _ := path.Match(d, id); ok || d == id {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s rule %s %s: %q matches no detection in policies/detections", r.File, r.ID, where, d)
			}
		}
	}
	for _, r := range rules {
		check(r, "match", r.Match)
		for _, s := range r.Steps {
			check(r, "step "+s.Name, s.Match)
		}
	}
	t.Logf("%d rules checked against %d detections", len(rules), len(ids))
}

func TestKeysSkipUnusableIPs(t *testing.T) {
	rules, err := ParseRules("k.yaml", []byte(`rules:
  - {id: by-ip, kind: risk, title: t, group_by: [ip], threshold: 5, window: 10m}
  - {id: by-ip-user, kind: risk, title: t, group_by: [ip, user], threshold: 5, window: 10m}
`))
	if err != nil {
		t.Fatal(err)
	}
	byIP, byIPUser := rules[0], rules[1]
	tests := []struct {
		name string
		ips  []string
		want []string
	}{
		{"public address", []string{"203.0.113.7"}, []string{"ip=203.0.113.7"}},
		{"private address", []string{"10.1.2.3"}, []string{"ip=10.1.2.3"}},
		{"ipv4 loopback", []string{"127.0.0.1"}, nil},
		{"other loopback", []string{"127.0.1.1"}, nil},
		{"ipv6 loopback", []string{"::1"}, nil},
		{"mapped loopback", []string{"::ffff:127.0.0.1"}, nil},
		{"dash", []string{"-"}, nil},
		{"unspecified", []string{"0.0.0.0"}, nil},
		{"ipv6 unspecified", []string{"::"}, nil},
		{"link-local", []string{"169.254.10.20"}, nil},
		{"ipv6 link-local", []string{"fe80::1"}, nil},
		{"multicast", []string{"224.0.0.251"}, nil},
		{"broadcast", []string{"255.255.255.255"}, nil},
		{"not an address", []string{"gateway.corp"}, []string{"ip=gateway.corp"}},
		{"loopback next to a real one", []string{"127.0.0.1", "198.51.100.4"}, []string{"ip=198.51.100.4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := event.Alert{DetectionID: "d", Tenant: "acme", Entities: []event.Entity{{Kind: event.EntityUser, Value: "alice"}}}
			for _, ip := range tc.ips {
				a.Entities = append(a.Entities, event.Entity{Kind: event.EntityIP, Value: ip})
			}
			if got := byIP.Keys(&a); !slices.Equal(got, tc.want) {
				t.Errorf("group_by [ip]: keys %q, want %q", got, tc.want)
			}
			var want []string
			for _, k := range tc.want {
				want = append(want, k+",user=alice")
			}
			if got := byIPUser.Keys(&a); !slices.Equal(got, want) {
				t.Errorf("group_by [ip, user]: keys %q, want %q", got, want)
			}
		})
	}
}

func TestKeysSkipSharedPrincipals(t *testing.T) {
	rules, err := ParseRules("k.yaml", []byte("rules:\n  - {id: by-user, kind: risk, title: t, group_by: [user], threshold: 5, window: 10m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user string
		want bool
	}{
		{"alice@acme.example", true},
		{"Administrator", true},
		{"WKSTN-0412$", true},
		{"SYSTEM", false},
		{"LocalSystem", false},
		{`NT AUTHORITY\SYSTEM`, false},
		{`NT AUTHORITY\NETWORK SERVICE`, false},
		{"LOCAL SERVICE", false},
		{"ANONYMOUS LOGON", false},
		{"-", false},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			a := event.Alert{DetectionID: "d", Entities: []event.Entity{{Kind: event.EntityUser, Value: tc.user}}}
			if got := len(rules[0].Keys(&a)) == 1; got != tc.want {
				t.Errorf("keyed %v, want %v", got, tc.want)
			}
		})
	}
}
