package correlate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// mixedStream is a stream touching every rule of testRules, in event-time
// order with small disorder.
func mixedStream(n int, seed uint64) []event.Alert {
	rng := rand.New(rand.NewPCG(seed, 1))
	dets := []string{"okta.signin_failed", "okta.signin_success", "o365.inbox_forward", "azure.risky_signin", "host.odd_thing"}
	var as []event.Alert
	for i := range n {
		at := time.Duration(i)*5*time.Second - time.Duration(rng.IntN(20))*time.Second
		a := al(fmt.Sprintf("m%d", i), dets[rng.IntN(len(dets))], at,
			fmt.Sprintf("ip:10.0.0.%d", rng.IntN(4)), fmt.Sprintf("user:u%d", rng.IntN(6)), fmt.Sprintf("host:h%d", rng.IntN(3)))
		a.RiskScore = 20
		if rng.IntN(3) == 0 {
			a.Tenant = "globex"
		}
		as = append(as, a)
	}
	return as
}

func TestDeterministicIDsAndBatching(t *testing.T) {
	stream := mixedStream(600, 7)
	rules := mustRules(t, testRules)
	ref := run(newTestCorrelator(t, rules), stream, false)
	kinds := map[string]int{}
	for _, inc := range ref {
		kinds[inc.Kind]++
	}
	if len(kinds) != 4 {
		t.Fatalf("stream raised incidents of kinds %v, want all four", kinds)
	}
	tests := []struct {
		name string
		feed func(c *Correlator) map[string]event.Incident
	}{
		{"same batch again", func(c *Correlator) map[string]event.Incident { return run(c, stream, false) }},
		{"one by one", func(c *Correlator) map[string]event.Incident { return run(c, stream, true) }},
		{"every alert twice", func(c *Correlator) map[string]event.Incident {
			var twice []event.Alert
			for i := range stream {
				twice = append(twice, stream[i])
				if i > 0 {
					twice = append(twice, stream[i-1]) // at-least-once redelivery
				}
			}
			return run(c, twice, false)
		}},
		{"records in batches of 7", func(c *Correlator) map[string]event.Incident {
			var recs []Record
			for _, a := range stream {
				for _, r := range c.Rules() {
					for _, k := range r.Keys(&a) {
						recs = append(recs, Record{Rule: r.ID, Key: k, Alert: a})
					}
				}
			}
			out := map[string]event.Incident{}
			for i := 0; i < len(recs); i += 7 {
				for _, inc := range c.AddRecords(context.Background(), recs[i:min(i+7, len(recs))]) {
					out[inc.ID] = inc
				}
			}
			return out
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.feed(newTestCorrelator(t, rules))
			if len(got) != len(ref) {
				t.Fatalf("%d incidents, want %d", len(got), len(ref))
			}
			for id, w := range ref {
				g, ok := got[id]
				if !ok {
					t.Fatalf("incident %s (%s %s) missing", id, w.Rule, w.Key)
				}
				g.CreatedAt, g.UpdatedAt, w.CreatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
				gs, ws := slices.Clone(g.AlertIDs), slices.Clone(w.AlertIDs)
				slices.Sort(gs)
				slices.Sort(ws)
				if !slices.Equal(gs, ws) || g.Version != w.Version || g.Severity != w.Severity ||
					g.Tenant != w.Tenant || g.Title != w.Title || g.RiskScore != w.RiskScore {
					t.Errorf("incident %s differs:\n got %+v\nwant %+v", id, g, w)
				}
			}
		})
	}
}

func TestTenantsNeverMix(t *testing.T) {
	c := newTestCorrelator(t, mustRules(t, testRules, "spray"))
	var as []event.Alert
	for i := range 4 {
		a := al(fmt.Sprint("a", i), "okta.signin_failed", time.Duration(i)*time.Second, "ip:1.1.1.1", fmt.Sprint("user:u", i))
		if i%2 == 1 {
			a.Tenant = "globex"
		}
		as = append(as, a)
	}
	if got := run(c, as, false); len(got) != 0 {
		t.Fatalf("2+2 users of two tenants raised %d incidents", len(got))
	}
}

func TestLateness(t *testing.T) {
	min := time.Minute
	brute := func(id string, at time.Duration) event.Alert {
		return al(id, "okta.signin_failed", at, "user:bob")
	}
	tests := []struct {
		name         string
		alerts       []event.Alert
		wantAlerts   []string // of the one incident; nil: none
		wantDropped  float64
		wantAttached float64
	}{
		{
			name:       "within lateness counts",
			alerts:     []event.Alert{brute("a1", 0), brute("a2", min), brute("a3", 2*min), brute("a4", 3*min), brute("a0", 2*min+30*time.Second), brute("a5", 4*min)},
			wantAlerts: []string{"a0", "a1", "a2", "a3", "a4", "a5"},
		},
		{
			name:        "beyond lateness without an incident is dropped",
			alerts:      []event.Alert{brute("a1", 0), brute("a2", 5*min), brute("old", 3*min)},
			wantDropped: 1,
		},
		{
			name: "beyond lateness joins the open incident",
			alerts: []event.Alert{brute("a1", 0), brute("a2", min), brute("a3", 2*min), brute("a4", 3*min), brute("a5", 4*min),
				brute("a6", 8*min), brute("late", 30*time.Second)},
			wantAlerts:   []string{"a1", "a2", "a3", "a4", "a5", "a6", "late"},
			wantAttached: 1,
		},
		{
			name: "beyond lateness after the incident closed is dropped",
			alerts: []event.Alert{brute("a1", 0), brute("a2", min), brute("a3", 2*min), brute("a4", 3*min), brute("a5", 4*min),
				brute("far", 2*time.Hour), brute("late", 30*time.Second)},
			wantAlerts:  []string{"a1", "a2", "a3", "a4", "a5"},
			wantDropped: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMetrics(nil)
			c := newTestCorrelator(t, mustRules(t, testRules, "brute"), func(cfg *Config) { cfg.Metrics = m })
			got := byRule(run(c, tc.alerts, true), "brute")
			if tc.wantAlerts == nil {
				if len(got) != 0 {
					t.Fatalf("got %d incidents, want none", len(got))
				}
			} else {
				checkIncidents(t, got, []wantInc{{key: "user=bob", alerts: tc.wantAlerts}})
			}
			if d := value(t, m.late.WithLabelValues("dropped")); d != tc.wantDropped {
				t.Errorf("dropped %v, want %v", d, tc.wantDropped)
			}
			if d := value(t, m.late.WithLabelValues("attached")); d != tc.wantAttached {
				t.Errorf("attached %v, want %v", d, tc.wantAttached)
			}
		})
	}
}

func TestWatermarkClosesWindows(t *testing.T) {
	m := NewMetrics(nil)
	c := newTestCorrelator(t, mustRules(t, testRules, "brute", "spray"), func(cfg *Config) { cfg.Metrics = m })
	run(c, []event.Alert{al("a1", "okta.signin_failed", 0, "user:bob", "ip:1.1.1.1")}, false)
	if k, w := value(t, m.activeKeys), value(t, m.openWindows); k != 2 || w != 4 {
		t.Fatalf("after one alert: %v keys, %v windows; want 2, 4", k, w)
	}
	if wm := c.Watermark(); !wm.Equal(t0.Add(-time.Minute)) {
		t.Fatalf("watermark %v, want %v", wm, t0.Add(-time.Minute))
	}
	c.Advance(t0.Add(6 * time.Minute)) // first window [09:55, 10:05) closed
	if w := value(t, m.openWindows); w != 2 {
		t.Fatalf("after 10:06: %v windows, want 2", w)
	}
	c.Advance(t0.Add(time.Hour))
	if k, w := value(t, m.activeKeys), value(t, m.openWindows); k != 0 || w != 0 {
		t.Fatalf("after an hour: %v keys, %v windows; want 0, 0", k, w)
	}
}

func TestCaps(t *testing.T) {
	t.Run("alerts listed per incident", func(t *testing.T) {
		c := newTestCorrelator(t, mustRules(t, testRules, "brute"), func(cfg *Config) { cfg.MaxAlertsPerIncident = 10 })
		var as []event.Alert
		for i := range 30 {
			as = append(as, al(fmt.Sprint("a", i), "okta.signin_failed", time.Duration(i)*time.Second, "user:bob"))
		}
		got := byRule(run(c, as, true), "brute")
		if len(got) != 1 {
			t.Fatalf("%d incidents", len(got))
		}
		if g := got[0]; len(g.AlertIDs) != 10 || len(g.EventIDs) != 10 || g.Version != 30 {
			t.Fatalf("alert ids %d, event ids %d, version %d; want 10, 10, 30", len(g.AlertIDs), len(g.EventIDs), g.Version)
		}
	})
	t.Run("keys evicted least recently used first", func(t *testing.T) {
		m := NewMetrics(nil)
		c := newTestCorrelator(t, mustRules(t, testRules, "brute"), func(cfg *Config) { cfg.MaxKeys = 3; cfg.Metrics = m })
		var as []event.Alert
		for i := range 5 {
			as = append(as, al(fmt.Sprint("a", i), "okta.signin_failed", time.Duration(i)*time.Second, fmt.Sprint("user:u", i)))
		}
		run(c, as, false)
		if k, e := value(t, m.activeKeys), value(t, m.evictions.WithLabelValues("key")); k != 3 || e != 2 {
			t.Fatalf("keys %v evictions %v; want 3, 2", k, e)
		}
		if _, ok := c.keys[stateKey{"acme", c.rules["brute"], "user=u0"}]; ok {
			t.Fatal("oldest key u0 kept")
		}
	})
	t.Run("step alerts per key", func(t *testing.T) {
		c := newTestCorrelator(t, mustRules(t, testRules, "brute_then_success"), func(cfg *Config) { cfg.MaxStepAlerts = 8 })
		var as []event.Alert
		for i := range 50 {
			as = append(as, al(fmt.Sprint("f", i), "okta.signin_failed", time.Duration(i)*time.Second, "ip:1.1.1.1"))
		}
		run(c, as, false)
		ks := c.keys[stateKey{"acme", c.rules["brute_then_success"], "ip=1.1.1.1"}]
		if n := len(ks.steps[0]); n != 8 {
			t.Fatalf("kept %d step alerts, want 8", n)
		}
	})
}

func TestIncidentFields(t *testing.T) {
	c := newTestCorrelator(t, mustRules(t, testRules, "brute_then_success"))
	mk := func(id, det string, at time.Duration) event.Alert {
		a := al(id, det, at, "ip:1.1.1.1", "user:bob")
		a.Tactics = []string{"credential-access"}
		a.Techniques = []string{"T1110.001"}
		a.Confidence = 80
		a.RiskScore = 40
		return a
	}
	got := byRule(run(c, []event.Alert{
		mk("f1", "okta.signin_failed", 0), mk("f2", "okta.signin_failed", time.Minute),
		mk("f3", "okta.signin_failed", 2*time.Minute), mk("s1", "okta.signin_success", 3*time.Minute),
	}, false), "brute_then_success")
	if len(got) != 1 {
		t.Fatalf("%d incidents", len(got))
	}
	g := got[0]
	want := event.Incident{
		ID: IncidentID("acme", "brute_then_success", "ip=1.1.1.1", t0), Tenant: "acme",
		Title: "Brute force then sign-in from ip=1.1.1.1", Severity: event.SeverityCritical,
		Confidence: 70, RiskScore: 100, Status: event.StatusCandidate, Rule: "brute_then_success",
		Kind: "sequence", Key: "ip=1.1.1.1", FirstSeen: t0, LastSeen: t0.Add(3 * time.Minute),
		Entities: []event.Entity{{Kind: "ip", Value: "1.1.1.1"}, {Kind: "user", Value: "bob"}},
		Tactics:  []string{"credential-access"}, Techniques: []string{"T1110.001"},
		DetectionIDs: []string{"okta.signin_failed", "okta.signin_success"},
		AlertIDs:     []string{"f1", "f2", "f3", "s1"}, EventIDs: []string{"ev-f1", "ev-f2", "ev-f3", "ev-s1"},
		CreatedAt: t0.Add(24 * time.Hour), UpdatedAt: t0.Add(24 * time.Hour), Version: 4,
	}
	want.Summary = g.Summary
	if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", want) {
		t.Fatalf("incident\n got %+v\nwant %+v", g, want)
	}
	t.Logf("summary: %s", g.Summary)
	for _, s := range []string{"failures → success", "ip=1.1.1.1", "4 alerts", "user:bob", "T1110.001"} {
		if !strings.Contains(g.Summary, s) {
			t.Errorf("summary lacks %q: %s", s, g.Summary)
		}
	}
}

// TestRecordsOfAChangedRule checks records published under an earlier
// definition of a rule (before a reload): a record is counted only if the
// rule as it is now gives its alert that key, so a regrouped rule does not
// build windows under keys it no longer has, and the other rules are not
// affected.
func TestRecordsOfAChangedRule(t *testing.T) {
	stream := mixedStream(600, 7)
	before := mustRules(t, testRules)
	after := mustRules(t, strings.Replace(testRules, "    group_by: [ip]\n    distinct: user", "    group_by: [host]\n    distinct: user", 1))
	var recs []Record
	for _, a := range stream {
		for _, r := range before {
			for _, k := range r.Keys(&a) {
				recs = append(recs, Record{Rule: r.ID, Key: k, Alert: a})
			}
		}
	}
	got := map[string]event.Incident{}
	for _, inc := range newTestCorrelator(t, after).AddRecords(context.Background(), recs) {
		got[inc.ID] = inc
	}
	want := run(newTestCorrelator(t, after), stream, false)
	sprayWant := 0
	for id, w := range want {
		if w.Rule == "spray" {
			sprayWant++
			continue
		}
		if g, ok := got[id]; !ok || g.Version != w.Version {
			t.Errorf("%s incident %s: got version %d (present %v), want %d", w.Rule, id, g.Version, ok, w.Version)
		}
	}
	for _, g := range got {
		if g.Rule == "spray" {
			t.Errorf("spray incident %s (key %s) built from records routed by ip", g.ID, g.Key)
		}
	}
	if sprayWant == 0 {
		t.Fatal("the regrouped spray rule raises nothing on this stream: the test shows nothing")
	}
}
