package correlate

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigil-soc/vigil/event"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

const testRules = `
rules:
  - id: spray
    kind: threshold
    title: "Password spray from {{.Group.ip}} ({{.Distinct}} users)"
    match: {detections: ["*.signin_failed"], signal: true}
    group_by: [ip]
    distinct: user
    threshold: 3
    window: 10m
    severity: medium
    confidence: 60
  - id: brute
    kind: threshold
    title: "Brute force against {{.Key}}"
    match: {detections: ["*.signin_failed"], signal: true}
    group_by: [user]
    threshold: 5
    window: 10m
  - id: brute_then_success
    kind: sequence
    title: "Brute force then sign-in from {{.Key}}"
    group_by: [ip]
    span: 30m
    severity: high
    steps:
      - name: failures
        match: {detections: ["*.signin_failed"]}
        min_count: 3
      - name: success
        match: {detections: ["*.signin_success"]}
  - id: entity_user
    kind: entity
    title: "Alerts on {{.Key}}"
    group_by: [user]
    window: 1h
    min_alerts: 2
    min_detections: 2
  - id: risk_host
    kind: risk
    title: "Risk on {{.Key}}"
    match: {detections: ["host.*"]}
    group_by: [host]
    threshold: 100
    window: 1h
`

func mustRules(tb testing.TB, y string, ids ...string) []Rule {
	tb.Helper()
	rules, err := ParseRules("test.yaml", []byte(y))
	if err != nil {
		tb.Fatalf("parse rules: %v", err)
	}
	if len(ids) == 0 {
		return rules
	}
	var out []Rule
	for _, r := range rules {
		if slices.Contains(ids, r.ID) {
			out = append(out, r)
		}
	}
	return out
}

func newTestCorrelator(tb testing.TB, rules []Rule, mod ...func(*Config)) *Correlator {
	tb.Helper()
	cfg := Config{
		Rules:    rules,
		Lateness: time.Minute,
		Now:      func() time.Time { return t0.Add(24 * time.Hour) },
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// al builds an alert: detection, offset from t0, entities as "kind:value".
func al(id, det string, at time.Duration, ents ...string) event.Alert {
	a := event.Alert{
		ID: id, Tenant: "acme", DetectionID: det, Timestamp: t0.Add(at),
		Severity: event.SeverityLow, Confidence: 40, RiskScore: 10, Count: 1,
		EventIDs: []string{"ev-" + id},
	}
	if strings.HasSuffix(det, "_failed") {
		a.Signal = true
	}
	for _, e := range ents {
		k, v, _ := strings.Cut(e, ":")
		a.Entities = append(a.Entities, event.Entity{Kind: event.EntityKind(k), Value: v})
	}
	return a
}

// run feeds alerts one by one (or all at once) and returns the final state
// of every incident by id.
func run(c *Correlator, alerts []event.Alert, oneByOne bool) map[string]event.Incident {
	out := map[string]event.Incident{}
	add := func(as []event.Alert) {
		for _, inc := range c.Add(context.Background(), as) {
			if prev, ok := out[inc.ID]; ok && inc.Version <= prev.Version {
				panic(fmt.Sprintf("version did not increase: %d -> %d", prev.Version, inc.Version))
			}
			out[inc.ID] = inc
		}
	}
	if oneByOne {
		for i := range alerts {
			add(alerts[i : i+1])
		}
	} else {
		add(alerts)
	}
	return out
}

func byRule(incs map[string]event.Incident, rule string) []event.Incident {
	var out []event.Incident
	for _, inc := range incs {
		if inc.Rule == rule {
			out = append(out, inc)
		}
	}
	slices.SortFunc(out, func(a, b event.Incident) int { return a.FirstSeen.Compare(b.FirstSeen) })
	return out
}

func TestCorrelatorKinds(t *testing.T) {
	min := time.Minute
	tests := []struct {
		name   string
		rule   string
		alerts []event.Alert
		want   []wantInc // by FirstSeen
	}{
		{
			name: "spray below threshold",
			rule: "spray",
			alerts: []event.Alert{
				al("a1", "okta.signin_failed", 0, "ip:1.1.1.1", "user:u1"),
				al("a2", "okta.signin_failed", min, "ip:1.1.1.1", "user:u2"),
				al("a3", "okta.signin_failed", 2*min, "ip:1.1.1.1", "user:u2"),
			},
		},
		{
			name: "spray reaches distinct users",
			rule: "spray",
			alerts: []event.Alert{
				al("a1", "okta.signin_failed", 0, "ip:1.1.1.1", "user:u1"),
				al("a2", "okta.signin_failed", min, "ip:1.1.1.1", "user:u2"),
				al("x1", "okta.signin_failed", min, "ip:2.2.2.2", "user:u9"),
				al("a3", "okta.signin_failed", 2*min, "ip:1.1.1.1", "user:u3"),
				al("a4", "okta.signin_failed", 3*min, "ip:1.1.1.1", "user:u4"),
			},
			want: []wantInc{{key: "ip=1.1.1.1", alerts: []string{"a1", "a2", "a3", "a4"},
				severity: event.SeverityMedium, title: "Password spray from 1.1.1.1 (4 users)"}},
		},
		{
			name: "spray twice the threshold raises severity",
			rule: "spray",
			alerts: func() []event.Alert {
				var as []event.Alert
				for i := range 6 {
					as = append(as, al(fmt.Sprint("a", i), "okta.signin_failed", time.Duration(i)*min, "ip:1.1.1.1", fmt.Sprint("user:u", i)))
				}
				return as
			}(),
			want: []wantInc{{key: "ip=1.1.1.1", alerts: []string{"a0", "a1", "a2", "a3", "a4", "a5"}, severity: event.SeverityHigh}},
		},
		{
			name: "spray spread wider than the window",
			rule: "spray",
			alerts: []event.Alert{
				al("a1", "okta.signin_failed", 0, "ip:1.1.1.1", "user:u1"),
				al("a2", "okta.signin_failed", 9*min, "ip:1.1.1.1", "user:u2"),
				al("a3", "okta.signin_failed", 18*min, "ip:1.1.1.1", "user:u3"),
			},
		},
		{
			name: "brute force counts folded alerts",
			rule: "brute",
			alerts: func() []event.Alert {
				a := al("a1", "okta.signin_failed", 0, "user:bob")
				a.Count = 4
				return []event.Alert{a, al("a2", "okta.signin_failed", min, "user:bob")}
			}(),
			want: []wantInc{{key: "user=bob", alerts: []string{"a1", "a2"}, severity: event.SeverityLow}},
		},
		{
			name: "burst across a window bound is one incident",
			rule: "brute",
			alerts: func() []event.Alert {
				var as []event.Alert
				for i := range 12 { // 04:00 .. 15:00, crossing the 10:05 and 10:10 bounds
					as = append(as, al(fmt.Sprint("a", i), "okta.signin_failed", time.Duration(4+i)*min, "user:bob"))
				}
				return as
			}(),
			want: []wantInc{{key: "user=bob", alerts: []string{"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11"}, severity: event.SeverityMedium}},
		},
		{
			name: "sequence completes",
			rule: "brute_then_success",
			alerts: []event.Alert{
				al("f1", "okta.signin_failed", 0, "ip:1.1.1.1", "user:bob"),
				al("f2", "okta.signin_failed", min, "ip:1.1.1.1", "user:bob"),
				al("f3", "okta.signin_failed", 2*min, "ip:1.1.1.1", "user:bob"),
				al("s1", "okta.signin_success", 5*min, "ip:1.1.1.1", "user:bob"),
				al("s2", "okta.signin_success", 6*min, "ip:1.1.1.1", "user:bob"),
			},
			want: []wantInc{{key: "ip=1.1.1.1", alerts: []string{"f1", "f2", "f3", "s1", "s2"}, severity: event.SeverityCritical}},
		},
		{
			name: "sequence in the wrong order",
			rule: "brute_then_success",
			alerts: []event.Alert{
				al("s1", "okta.signin_success", 0, "ip:1.1.1.1"),
				al("f1", "okta.signin_failed", min, "ip:1.1.1.1"),
				al("f2", "okta.signin_failed", 2*min, "ip:1.1.1.1"),
				al("f3", "okta.signin_failed", 3*min, "ip:1.1.1.1"),
			},
		},
		{
			name: "sequence too few failures",
			rule: "brute_then_success",
			alerts: []event.Alert{
				al("f1", "okta.signin_failed", 0, "ip:1.1.1.1"),
				al("f2", "okta.signin_failed", min, "ip:1.1.1.1"),
				al("s1", "okta.signin_success", 2*min, "ip:1.1.1.1"),
			},
		},
		{
			name: "sequence beyond its span",
			rule: "brute_then_success",
			alerts: []event.Alert{
				al("f1", "okta.signin_failed", 0, "ip:1.1.1.1"),
				al("f2", "okta.signin_failed", min, "ip:1.1.1.1"),
				al("f3", "okta.signin_failed", 2*min, "ip:1.1.1.1"),
				al("s1", "okta.signin_success", 31*min, "ip:1.1.1.1"),
			},
		},
		{
			name: "sequence out of order within lateness",
			rule: "brute_then_success",
			alerts: []event.Alert{
				al("f1", "okta.signin_failed", 0, "ip:1.1.1.1"),
				al("f2", "okta.signin_failed", 20*time.Second, "ip:1.1.1.1"),
				al("s1", "okta.signin_success", 50*time.Second, "ip:1.1.1.1"),
				al("f3", "okta.signin_failed", 30*time.Second, "ip:1.1.1.1"), // late by 20s, lateness 1m
			},
			want: []wantInc{{key: "ip=1.1.1.1", alerts: []string{"f1", "f2", "f3", "s1"}, severity: event.SeverityCritical}},
		},
		{
			name: "entity joins distinct detections, not signals",
			rule: "entity_user",
			alerts: []event.Alert{
				al("e1", "o365.inbox_forward", 0, "user:bob", "mailbox:bob@acme"),
				al("sig", "okta.signin_failed", min, "user:bob"),
				al("e2", "azure.risky_signin", 10*min, "user:bob", "ip:9.9.9.9"),
				al("e3", "azure.risky_signin", 50*min, "user:carol"),
			},
			want: []wantInc{{key: "user=bob", alerts: []string{"e1", "e2"}, severity: event.SeverityLow,
				entities: []string{"ip:9.9.9.9", "mailbox:bob@acme", "user:bob"}}},
		},
		{
			name: "entity same detection twice is not enough",
			rule: "entity_user",
			alerts: []event.Alert{
				al("e1", "azure.risky_signin", 0, "user:bob"),
				al("e2", "azure.risky_signin", 10*min, "user:bob"),
			},
		},
		{
			name: "risk sum reaches threshold without a severe alert",
			rule: "risk_host",
			alerts: func() []event.Alert {
				var as []event.Alert
				for i := range 10 {
					a := al(fmt.Sprint("r", i), "host.odd_thing", time.Duration(i)*min, "host:h1")
					a.RiskScore = 15
					as = append(as, a)
				}
				return as
			}(),
			// 15×7 = 105 at r6; 150 at r9 is below twice the threshold.
			want: []wantInc{{key: "host=h1", alerts: []string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"}, severity: event.SeverityLow}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, oneByOne := range []bool{false, true} {
				c := newTestCorrelator(t, mustRules(t, testRules, tc.rule))
				got := byRule(run(c, tc.alerts, oneByOne), tc.rule)
				checkIncidents(t, got, tc.want)
			}
		})
	}
}

type wantInc struct {
	key      string
	alerts   []string
	severity event.Severity
	title    string
	entities []string
}

func checkIncidents(t *testing.T, got []event.Incident, want []wantInc) {
	t.Helper()
	if len(got) != len(want) {
		for _, g := range got {
			t.Logf("got %s %s %v", g.Key, g.Summary, g.AlertIDs)
		}
		t.Fatalf("got %d incidents, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Key != w.key {
			t.Errorf("incident %d key %q, want %q", i, g.Key, w.key)
		}
		ids := slices.Clone(g.AlertIDs)
		slices.Sort(ids)
		wa := slices.Clone(w.alerts)
		slices.Sort(wa)
		if !slices.Equal(ids, wa) {
			t.Errorf("incident %d alerts %v, want %v", i, ids, wa)
		}
		if g.Version != uint64(len(w.alerts)) {
			t.Errorf("incident %d version %d, want %d", i, g.Version, len(w.alerts))
		}
		if w.severity != 0 && g.Severity != w.severity {
			t.Errorf("incident %d severity %s, want %s", i, g.Severity, w.severity)
		}
		if w.title != "" && g.Title != w.title {
			t.Errorf("incident %d title %q, want %q", i, g.Title, w.title)
		}
		if w.entities != nil {
			var es []string
			for _, e := range g.Entities {
				es = append(es, e.String())
			}
			if !slices.Equal(es, w.entities) {
				t.Errorf("incident %d entities %v, want %v", i, es, w.entities)
			}
		}
		if g.Status != event.StatusCandidate || g.Tenant != "acme" || g.Summary == "" {
			t.Errorf("incident %d: status %q tenant %q summary %q", i, g.Status, g.Tenant, g.Summary)
		}
		wantID := IncidentID(g.Tenant, g.Rule, g.Key, g.FirstSeen)
		if g.Kind != string(KindThreshold) && g.Kind != string(KindRisk) && g.Kind != string(KindEntity) && g.ID != wantID {
			t.Errorf("incident %d id %s, want %s (window start = first alert)", i, g.ID, wantID)
		}
	}
}

// value reads a counter or gauge.
func value(tb testing.TB, m prometheus.Metric) float64 {
	tb.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		tb.Fatal(err)
	}
	switch {
	case d.Counter != nil:
		return d.Counter.GetValue()
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	}
	tb.Fatalf("not a counter or gauge")
	return 0
}

func TestRollupConditions(t *testing.T) {
	rules := mustRules(t, `
rules:
  - id: risk_user
    kind: risk
    title: "Risk on {{.Key}}"
    group_by: [user]
    threshold: 100
    window: 1h
    min_detections: 2
    min_peak_severity: medium
  - id: entity_user
    kind: entity
    title: "Alerts on {{.Key}}"
    group_by: [user]
    window: 1h
    min_detections: 2
    min_peak_severity: medium
`)
	sev := func(a event.Alert, s event.Severity, risk int) event.Alert {
		a.Severity, a.RiskScore = s, risk
		return a
	}
	tests := []struct {
		name   string
		alerts []event.Alert
		want   []string // rules that open an incident
	}{
		{"one detection repeated never adds up", []event.Alert{
			sev(al("a1", "su", 0, "user:bob"), event.SeverityMedium, 60),
			sev(al("a2", "su", time.Minute, "user:bob"), event.SeverityMedium, 60),
			sev(al("a3", "su", 2*time.Minute, "user:bob"), event.SeverityMedium, 60),
		}, nil},
		{"two low detections are routine", []event.Alert{
			sev(al("a1", "task", 0, "user:bob"), event.SeverityLow, 60),
			sev(al("a2", "account", time.Minute, "user:bob"), event.SeverityLow, 60),
		}, nil},
		{"two detections, one medium", []event.Alert{
			sev(al("a1", "task", 0, "user:bob"), event.SeverityLow, 60),
			sev(al("a2", "consent", time.Minute, "user:bob"), event.SeverityMedium, 60),
		}, []string{"entity_user", "risk_user"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			incs := run(newTestCorrelator(t, rules), tc.alerts, true)
			var got []string
			for _, inc := range incs {
				got = append(got, inc.Rule)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("incidents of %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := ParseRules("x.yaml", []byte("rules:\n  - {id: r, kind: threshold, title: t, match: {detections: [d]}, group_by: [ip], threshold: 2, window: 10m, min_peak_severity: high}\n")); err == nil || !strings.Contains(err.Error(), "min_peak_severity: applies to entity and risk rules only") {
		t.Errorf("min_peak_severity on a threshold rule: %v", err)
	}
}

func TestSuppressIfCovered(t *testing.T) {
	rules := mustRules(t, `
rules:
  - id: entity_user
    kind: entity
    title: "Alerts on {{.Key}}"
    group_by: [user]
    window: 1h
    min_detections: 2
    suppress_if_covered: true
  - id: signin_then_forward
    kind: sequence
    title: "Sign-in then forwarding for {{.Key}}"
    group_by: [user]
    span: 1h
    steps:
      - {name: sign-in, match: {detections: [signin]}}
      - {name: forward, match: {detections: [forward]}}
`)
	tests := []struct {
		name   string
		alerts []event.Alert
		want   []string
	}{
		{"the story absorbs the roll-up", []event.Alert{
			al("a1", "signin", 0, "user:bob"),
			al("a2", "forward", time.Minute, "user:bob"),
			al("a3", "forward", 2*time.Minute, "user:bob"),
		}, []string{"signin_then_forward"}},
		{"alerts beyond the story still roll up", []event.Alert{
			al("a1", "signin", 0, "user:bob"),
			al("a2", "forward", time.Minute, "user:bob"),
			al("a3", "consent", 2*time.Minute, "user:bob"),
			al("a4", "task", 3*time.Minute, "user:bob"),
		}, []string{"entity_user", "signin_then_forward"}},
		{"another key is not covered", []event.Alert{
			al("a1", "signin", 0, "user:bob"),
			al("a2", "forward", time.Minute, "user:bob"),
			al("a3", "signin", 2*time.Minute, "user:carol"),
			al("a4", "consent", 3*time.Minute, "user:carol"),
		}, []string{"entity_user", "signin_then_forward"}},
	}
	for _, tc := range tests {
		for _, oneByOne := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/one-by-one=%v", tc.name, oneByOne), func(t *testing.T) {
				// The roll-up is listed first: stories still run first.
				incs := run(newTestCorrelator(t, []Rule{rules[0], rules[1]}), tc.alerts, oneByOne)
				var got []string
				for _, inc := range incs {
					got = append(got, inc.Rule)
				}
				slices.Sort(got)
				if !slices.Equal(got, tc.want) {
					t.Errorf("incidents of %v, want %v", got, tc.want)
				}
				for _, inc := range byRule(incs, "entity_user") {
					for _, id := range inc.AlertIDs {
						for _, s := range byRule(incs, "signin_then_forward") {
							if slices.Contains(s.AlertIDs, id) && s.Key == inc.Key {
								t.Errorf("alert %s in both the story and the roll-up of %s", id, inc.Key)
							}
						}
					}
				}
			})
		}
	}
	msgs, err := Messages([]Rule{rules[0], rules[1]}, []event.Alert{al("a1", "signin", 0, "user:bob")})
	if err != nil || len(msgs) != 2 || string(msgs[0].Key) != "acme|user=bob" || !strings.Contains(string(msgs[0].Value), `"rule":"signin_then_forward"`) {
		t.Errorf("messages: want the story's record first, keyed by tenant and key; got %d, %v", len(msgs), err)
	}
}

// TestCorrelatorRecount: detect folds repeated findings into one alert and
// re-emits it, same id, with a growing count. A threshold that sums counts
// takes the difference each time; the same count again is a duplicate.
// tunnelRule counts folded long-query alerts per address, as the library's
// DNS tunnelling rule does.
const tunnelRule = `
  - id: tunnel
    kind: threshold
    title: "{{.Count}} long queries from {{.Key}}"
    match: {detections: ["dns.long_query"]}
    group_by: [ip]
    threshold: 40
    window: 15m
`

// folded is a suppressed long-query alert from 10.0.0.5 as re-emitted with
// its running count n.
func folded(id string, at time.Duration, n int) event.Alert {
	a := al(id, "dns.long_query", at, "ip:10.0.0.5")
	a.Count = n
	return a
}

func TestCorrelatorRecount(t *testing.T) {
	rules := mustRules(t, "rules:"+tunnelRule+`  - id: spray
    kind: threshold
    title: "spray from {{.Key}}"
    match: {detections: ["dns.long_query"]}
    group_by: [ip]
    distinct: user
    threshold: 2
    window: 15m
`)
	m := NewMetrics(nil)
	c := newTestCorrelator(t, rules, func(cfg *Config) { cfg.Metrics = m })
	step := func(a event.Alert) []event.Incident { return c.Add(t.Context(), []event.Alert{a}) }

	if got := step(folded("q1", 0, 1)); len(got) != 0 {
		t.Fatalf("first emission: %v", got)
	}
	if got := step(folded("q1", 0, 30)); len(got) != 0 {
		t.Fatalf("30 of 40: %v", got)
	}
	got := step(folded("q1", 0, 45))
	if len(got) != 1 || got[0].Title != "45 long queries from ip=10.0.0.5" || !slices.Equal(got[0].AlertIDs, []string{"q1"}) {
		t.Fatalf("the count that crosses the threshold fires: %+v", got)
	}
	v, sev := got[0].Version, got[0].Severity
	if got := step(folded("q1", 0, 45)); len(got) != 0 {
		t.Fatalf("the same count again changed the incident: %+v", got)
	}
	if got := step(folded("q1", 0, 20)); len(got) != 0 {
		t.Fatalf("a lower count changed the incident: %+v", got)
	}
	// A higher count updates the incident once the count doubled since it
	// was last emitted (or its severity changed), not on every batch.
	if got := step(folded("q1", 0, 60)); len(got) != 0 {
		t.Fatalf("60 after 45 emitted an update: %+v", got)
	}
	// 85 is twice the threshold: the severity rises one level.
	got = step(folded("q1", 0, 85))
	if len(got) != 1 || got[0].Title != "85 long queries from ip=10.0.0.5" || got[0].Version <= v ||
		got[0].Severity <= sev || len(got[0].AlertIDs) != 1 {
		t.Fatalf("a count that raises the severity updates the incident, listing the alert once: %+v", got)
	}
	if got := step(folded("q1", 0, 95)); len(got) != 0 {
		t.Fatalf("95 after 85 emitted an update: %+v", got)
	}
	got = step(folded("q1", 0, 170))
	if len(got) != 1 || got[0].Title != "170 long queries from ip=10.0.0.5" {
		t.Fatalf("a doubled count updates the incident: %+v", got)
	}
	// A second folded alert of the same key joins and adds its count.
	got = step(folded("q2", 2*time.Minute, 5))
	if len(got) != 1 || got[0].Title != "175 long queries from ip=10.0.0.5" || len(got[0].AlertIDs) != 2 {
		t.Fatalf("second alert: %+v", got)
	}
	if n := value(t, m.recounts.WithLabelValues("applied")); n != 6 {
		t.Fatalf("applied recounts %v, want 6", n)
	}
	if n := value(t, m.duplicates); n < 2 {
		t.Fatalf("duplicates %v, want the repeated and the lower count", n)
	}
	// Versions do not depend on how the re-emissions were batched.
	var seq []event.Alert
	for _, n := range []int{1, 30, 45, 60, 95, 150, 150, 400} {
		seq = append(seq, folded("r1", 0, n))
	}
	// The last count doubles the one of the last version, so both runs
	// end on an emission; in between, counts short of doubling are not
	// emitted on their own.
	seq = append(seq, folded("r2", time.Minute, 3), folded("r1", 0, 500), folded("r1", 0, 900))
	one := run(newTestCorrelator(t, rules), seq, true)
	all := run(newTestCorrelator(t, rules), seq, false)
	if len(one) != 1 || len(all) != 1 {
		t.Fatalf("incidents one by one %d, all at once %d; want 1", len(one), len(all))
	}
	for id, a := range all {
		o := one[id]
		if o.Version != a.Version || o.Title != a.Title || o.Title != "903 long queries from ip=10.0.0.5" {
			t.Fatalf("one by one: v%d %q; all at once: v%d %q", o.Version, o.Title, a.Version, a.Title)
		}
	}
	// Long after the window, a recount finds no state and is counted.
	c2 := newTestCorrelator(t, rules, func(cfg *Config) { cfg.Metrics = m })
	c2.Add(t.Context(), []event.Alert{folded("q9", 0, 1), al("later", "dns.long_query", 5*time.Hour, "ip:10.0.0.6")})
	c2.Add(t.Context(), []event.Alert{folded("q9", 0, 50)})
	if n := value(t, m.recounts.WithLabelValues("expired")); n < 1 {
		t.Fatalf("expired recounts %v, want 1", n)
	}
}

// TestCorrelatorCatchUpGrace: while a backlog is caught up, one source's
// alerts trail another's by more event time than the lateness. With a
// catch-up grace they still count, until the watermark has been past them
// for the grace in processing time.
func TestCorrelatorCatchUpGrace(t *testing.T) {
	rules := mustRules(t, testRules, "brute")
	for _, tc := range []struct {
		grace     time.Duration
		wantFirst int // incidents from the trailing source
	}{
		{grace: 0, wantFirst: 0},
		{grace: 2 * time.Minute, wantFirst: 1},
	} {
		t.Run(fmt.Sprint("grace=", tc.grace), func(t *testing.T) {
			clock := t0.Add(2 * time.Hour)
			m := NewMetrics(nil)
			c := newTestCorrelator(t, rules, func(cfg *Config) {
				cfg.CatchUpGrace = tc.grace
				cfg.Metrics = m
				cfg.Now = func() time.Time { return clock }
			})
			// The fast source: an hour of event time in one second.
			var fast []event.Alert
			for i := range 60 {
				fast = append(fast, al(fmt.Sprint("f", i), "okta.signin_failed", time.Duration(i)*time.Minute, fmt.Sprint("user:u", i)))
			}
			c.Add(t.Context(), fast)
			// The trailing source, a second later: a brute force at the start.
			clock = clock.Add(time.Second)
			var trailing []event.Alert
			for i := range 5 {
				trailing = append(trailing, al(fmt.Sprint("b", i), "azure.signin_failed", time.Duration(i)*time.Minute, "user:bob"))
			}
			if got := c.Add(t.Context(), trailing); len(got) != tc.wantFirst {
				t.Fatalf("trailing brute force: %d incidents, want %d", len(got), tc.wantFirst)
			}
			// Past the grace, the watermark catches up: the same kind of
			// burst at the start is late now.
			clock = clock.Add(3 * time.Minute)
			c.Add(t.Context(), []event.Alert{al("f60", "okta.signin_failed", 61*time.Minute, "user:u60")})
			before := value(t, m.late.WithLabelValues("dropped"))
			var later []event.Alert
			for i := range 5 {
				later = append(later, al(fmt.Sprint("c", i), "azure.signin_failed", time.Duration(i)*time.Minute, "user:carol"))
			}
			if got := c.Add(t.Context(), later); len(got) != 0 {
				t.Fatalf("after the grace: %d incidents from late alerts", len(got))
			}
			if d := value(t, m.late.WithLabelValues("dropped")) - before; d != 5 {
				t.Fatalf("after the grace: %v late alerts dropped, want 5", d)
			}
		})
	}
}

// TestDedupeBeforeTheFirstWatermark: while the watermark is held back
// (catch-up grace, start-up) the dedupe set fills past its first sweep. A
// suppressed alert re-emitted after that must still be recognised: it adds
// its count once and the incident lists it once.
func TestDedupeBeforeTheFirstWatermark(t *testing.T) {
	rules := mustRules(t, "rules:"+tunnelRule)
	m := NewMetrics(nil)
	c := newTestCorrelator(t, rules, func(cfg *Config) {
		cfg.CatchUpGrace = 5 * time.Minute
		cfg.Lateness = 30 * time.Minute
		cfg.Metrics = m
	})
	c.Add(t.Context(), []event.Alert{folded("q1", 0, 1), folded("q1", 0, 27)})
	// More distinct alerts than the dedupe set holds before its first sweep.
	var noise []event.Alert
	for i := range 3000 {
		noise = append(noise, al(fmt.Sprintf("n%d", i), "dns.long_query", time.Duration(i)*time.Second, fmt.Sprintf("ip:10.1.%d.%d", i/250, i%250)))
	}
	c.Add(t.Context(), noise)
	if wm := c.Watermark(); !wm.IsZero() {
		t.Fatalf("watermark %v; the test needs it held back", wm)
	}
	got := c.Add(t.Context(), []event.Alert{folded("q1", 0, 60)})
	if len(got) != 1 || !slices.Equal(got[0].AlertIDs, []string{"q1"}) || got[0].Title != "60 long queries from ip=10.0.0.5" {
		t.Fatalf("re-emitted alert after the dedupe set grew: %+v", got)
	}
	if n := value(t, m.recounts.WithLabelValues("applied")); n != 2 {
		t.Fatalf("applied recounts %v, want 2", n)
	}
}

// TestCorrelatorProperties feeds random streams of alerts — suppressed
// alerts re-emitted with growing (and stale, lower) counts, redeliveries,
// more distinct alerts than the dedupe set holds before its first sweep —
// in random batches, with the watermark held back as during a catch-up,
// and checks what must hold whatever the stream:
//   - an incident lists each alert once;
//   - a threshold incident's count is at most the sum of its alerts'
//     highest counts (nothing counted twice) and more than half of it (an
//     incident that only gains count is emitted again once it doubled);
//   - how the stream was cut into batches does not change which incidents
//     there are and which alerts they hold.
func TestCorrelatorProperties(t *testing.T) {
	rules := mustRules(t, `
rules:
  - id: tunnel
    kind: threshold
    title: "{{.Count}}"
    match: {detections: ["dns.long_query"]}
    group_by: [ip]
    threshold: 40
    window: 15m
  - id: pair
    kind: entity
    title: "pair {{.Key}}"
    group_by: [ip]
    window: 1h
    min_alerts: 2
    min_detections: 2
`)
	held := func(cfg *Config) {
		cfg.CatchUpGrace = time.Hour
		cfg.Lateness = 30 * time.Minute
	}
	for seed := int64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewSource(seed))
		var stream []event.Alert
		maxCount := map[string]int{}
		for i := range 1500 {
			ip := fmt.Sprintf("ip:10.0.%d.%d", r.Intn(4), r.Intn(200))
			det := "dns.long_query"
			if r.Intn(5) == 0 {
				det = "net.beacon"
			}
			a := al(fmt.Sprintf("s%d-a%d", seed, i), det, time.Duration(r.Intn(90))*time.Minute, ip)
			stream = append(stream, a)
			maxCount[a.ID] = 1
			for range r.Intn(4) { // re-emissions, sometimes out of order
				b := a
				b.Count = 1 + r.Intn(60)
				stream = append(stream, b)
				maxCount[a.ID] = max(maxCount[a.ID], b.Count)
			}
		}
		r.Shuffle(len(stream), func(i, j int) {
			// Keep each alert's first emission before its re-emissions
			// most of the time, as the pipeline does, but not always.
			if r.Intn(10) == 0 {
				stream[i], stream[j] = stream[j], stream[i]
			}
		})
		batched := func(cut func() int) map[string]event.Incident {
			c := newTestCorrelator(t, rules, held)
			out := map[string]event.Incident{}
			for i := 0; i < len(stream); {
				n := min(cut(), len(stream)-i)
				for _, inc := range c.Add(t.Context(), stream[i:i+n]) {
					out[inc.ID] = inc
				}
				i += n
			}
			return out
		}
		one := batched(func() int { return 1 })
		chunks := batched(func() int { return 1 + r.Intn(300) })
		if len(one) == 0 {
			t.Fatalf("seed %d: no incident; the stream must fire some", seed)
		}
		for id, inc := range one {
			seen := map[string]bool{}
			sum := 0
			for _, a := range inc.AlertIDs {
				if seen[a] {
					t.Fatalf("seed %d: %s lists %s twice", seed, id, a)
				}
				seen[a] = true
				sum += maxCount[a]
			}
			if inc.Rule == "tunnel" {
				n, err := strconv.Atoi(inc.Title)
				if err != nil || n > sum || 2*n <= sum {
					t.Errorf("seed %d: %s counts %s, its alerts' highest counts sum to %d", seed, id, inc.Title, sum)
				}
			}
			other, ok := chunks[id]
			if !ok || !slices.Equal(other.AlertIDs, inc.AlertIDs) {
				t.Errorf("seed %d: %s one by one %v; in batches %v", seed, id, inc.AlertIDs, other.AlertIDs)
			}
		}
		if len(chunks) != len(one) {
			t.Errorf("seed %d: %d incidents one by one, %d in batches", seed, len(one), len(chunks))
		}
	}
}
