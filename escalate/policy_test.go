package escalate

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/escalate/escalatetest"
	"github.com/vigil-soc/vigil/event"
)

func TestDefaultPolicy(t *testing.T) {
	p, err := LoadPolicy(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	ti := event.Alert{ID: "a-ti", DetectionID: "o365.signin", Fields: map[string]string{"threat.indicator.matched": "true"}}
	tiRule := event.Alert{ID: "a-ti2", DetectionID: "threat_intel.ip_match"}
	plain := event.Alert{ID: "a-plain", DetectionID: "o365.signin"}
	tests := []struct {
		name   string
		inc    event.Incident
		alerts []event.Alert
		want   bool
	}{
		{"critical confidence 80", event.Incident{Severity: event.SeverityCritical, Confidence: 80}, nil, true},
		{"critical confidence 79", event.Incident{Severity: event.SeverityCritical, Confidence: 79}, nil, false},
		{"high with indicator field", event.Incident{Severity: event.SeverityHigh, Confidence: 40}, []event.Alert{plain, ti}, true},
		{"high with threat intel detection", event.Incident{Severity: event.SeverityHigh}, []event.Alert{tiRule}, true},
		{"high without indicator", event.Incident{Severity: event.SeverityHigh, Confidence: 95}, []event.Alert{plain}, false},
		{"medium with indicator", event.Incident{Severity: event.SeverityMedium}, []event.Alert{ti}, false},
		{"confirm rule", event.Incident{Severity: event.SeverityLow, Rule: "ransomware_sequence"}, nil, true},
		{"other rule", event.Incident{Severity: event.SeverityLow, Rule: "password_spray"}, nil, false},
		{"unknown severity", event.Incident{}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := p.Decide(context.Background(), tc.inc, tc.alerts)
			if err != nil {
				t.Fatal(err)
			}
			if d.Confirm != tc.want {
				t.Fatalf("confirm = %v (%v), want %v", d.Confirm, d.Reasons, tc.want)
			}
			if d.Confirm && len(d.Reasons) == 0 {
				t.Fatal("confirmed without a reason")
			}
		})
	}
}

func TestBadPolicyRejected(t *testing.T) {
	tests := []struct{ name, src string }{
		{"syntax", "package vigil.escalate\nconfirm if {"},
		{"wrong package", "package other\ndefault confirm := false"},
		{"not boolean", "package vigil.escalate\nconfirm := \"yes\""},
		{"undefined without default", "package vigil.escalate\nconfirm if input.incident.severity == \"critical\""},
		{"network", "package vigil.escalate\ndefault confirm := false\nconfirm if http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:1\"}).status_code == 200"},
		{"environment", "package vigil.escalate\ndefault confirm := false\nconfirm if opa.runtime().env.CONFIRM == \"yes\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := CompilePolicy(context.Background(), tc.name+".rego", tc.src); err == nil {
				t.Fatal("bad policy accepted")
			}
		})
	}
	if _, err := LoadPolicy(context.Background(), "testdata/missing.rego"); err == nil {
		t.Fatal("missing policy file accepted")
	}
}

func TestObserve(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, baseConfig)
	st := escalatetest.New()
	clk := newClock(t0)
	mg := newTestManager(t, cfg, st, clk)

	c := candidate("inc-1", event.SeverityMedium, 50, "a1")
	if err := mg.Observe(ctx, []event.Incident{c}); err != nil {
		t.Fatal(err)
	}
	inc, _ := st.Incident(ctx, "inc-1")
	if inc.Status != event.StatusCandidate || inc.Version != 1 || !inc.CreatedAt.Equal(t0) {
		t.Fatalf("new incident: %+v", inc)
	}
	// A replay of the same candidate writes nothing.
	clk.Add(time.Minute)
	if err := mg.Observe(ctx, []event.Incident{c}); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.Incident(ctx, "inc-1"); again.Version != 1 {
		t.Fatalf("replay wrote version %d", again.Version)
	}
	// Analyst work, then the incident is contained.
	for _, to := range []event.Status{event.StatusTriage, event.StatusConfirmed, event.StatusContained} {
		clk.Add(time.Minute)
		if _, err := mg.Transition(ctx, "inc-1", to, "alice", "work"); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := st.Incident(ctx, "inc-1")
	// New activity: a second alert, more severe. Status reopens to triage;
	// lifecycle timestamps stay.
	clk.Add(time.Hour)
	c2 := c
	c2.AlertIDs = []string{"a1", "a2"}
	c2.Severity = event.SeverityHigh
	c2.Entities = append(slices.Clone(c.Entities), event.Entity{Kind: event.EntityIP, Value: "203.0.113.7"})
	if err := mg.Observe(ctx, []event.Incident{c2}); err != nil {
		t.Fatal(err)
	}
	after, _ := st.Incident(ctx, "inc-1")
	if after.Status != event.StatusTriage || after.Version != before.Version+1 || after.Severity != event.SeverityHigh ||
		!after.DeclaredAt.Equal(before.DeclaredAt) || !after.ContainedAt.Equal(before.ContainedAt) ||
		len(after.Entities) != 2 || !slices.Equal(after.AlertIDs, []string{"a1", "a2"}) {
		t.Fatalf("merged incident: %+v", after)
	}
	tl, _ := st.Timeline(ctx, "inc-1")
	var actions []string
	for _, e := range tl {
		actions = append(actions, e.Action+":"+string(e.ToStatus))
	}
	// Entries at the same instant have no defined order between them.
	slices.Sort(actions[len(actions)-2:])
	slices.Sort(actions[:2])
	want := "alert_added: created:candidate transition:triage escalated: transition:confirmed transition:contained alert_added: transition:triage"
	if got := strings.Join(actions, " "); got != want {
		t.Fatalf("timeline:\n got %s\nwant %s", got, want)
	}
}

func TestAutoConfirmWritesOutboxFirst(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, baseConfig)
	st := escalatetest.New()
	var deliveriesAtConfirm int
	st.BeforeWriteIncidents = func(incs []event.Incident) error {
		if slices.ContainsFunc(incs, func(inc event.Incident) bool { return inc.Status == event.StatusConfirmed }) {
			deliveriesAtConfirm = len(st.Deliveries())
		}
		return nil
	}
	mg := newTestManager(t, cfg, st, newClock(t0))
	if err := mg.Observe(ctx, []event.Incident{candidate("inc-1", event.SeverityCritical, 90, "a1")}); err != nil {
		t.Fatal(err)
	}
	inc, _ := st.Incident(ctx, "inc-1")
	if inc.Status != event.StatusConfirmed || !inc.DeclaredAt.Equal(t0) || !inc.NotifyBy.Equal(t0.Add(72*time.Hour)) {
		t.Fatalf("auto-confirm: %+v", inc)
	}
	if deliveriesAtConfirm != 1 {
		t.Fatalf("deliveries stored before the confirmed row: %d, want 1", deliveriesAtConfirm)
	}
	d := st.Deliveries()[0]
	if d.Key != DeliveryKey("inc-1", "soc", KindEscalation, "") || d.Status != event.DeliveryPending || d.Level != 0 {
		t.Fatalf("delivery: %+v", d)
	}
}

// Once an incident is declared, updates from correlation do not read its
// alerts: the policy never runs for a declared incident. A manager that
// has not seen the declaration still reads them, and the decision of an
// undeclared incident still gets them.
func TestObserveSkipsAlertsOfDeclaredIncidents(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, baseConfig)
	st := escalatetest.New()
	st.AddAlerts(event.Alert{ID: "a1", Severity: event.SeverityCritical}, event.Alert{ID: "a2", Severity: event.SeverityCritical})
	clk := newClock(t0)
	mg := newTestManager(t, cfg, st, clk)
	observe := func(mg *Manager, c event.Incident) (reads int) {
		t.Helper()
		before := st.AlertReads()
		if err := mg.Observe(ctx, []event.Incident{c}); err != nil {
			t.Fatal(err)
		}
		return st.AlertReads() - before
	}

	low := candidate("inc-low", event.SeverityLow, 20, "a1")
	if n := observe(mg, low); n != 1 {
		t.Fatalf("undeclared incident: %d alert reads, want 1 (the policy decides on them)", n)
	}
	if inc, _ := st.Incident(ctx, "inc-low"); inc.Status != event.StatusCandidate {
		t.Fatalf("low incident confirmed: %+v", inc)
	}

	c := candidate("inc-1", event.SeverityCritical, 90, "a1")
	observe(mg, c)
	if inc, _ := st.Incident(ctx, "inc-1"); inc.Status != event.StatusConfirmed {
		t.Fatalf("incident not auto-confirmed: %+v", inc)
	}
	clk.Add(time.Minute)
	c.AlertIDs = []string{"a1", "a2"}
	if n := observe(mg, c); n != 0 {
		t.Fatalf("update of a declared incident: %d alert reads, want 0", n)
	}
	if inc, _ := st.Incident(ctx, "inc-1"); !slices.Equal(inc.AlertIDs, []string{"a1", "a2"}) || inc.Status != event.StatusConfirmed {
		t.Fatalf("update not merged: %+v", inc)
	}

	// Another manager (another vigil instance) learns of the declaration
	// from the stored incident.
	other := newTestManager(t, cfg, st, clk)
	clk.Add(time.Minute)
	c.AlertIDs = []string{"a1", "a2", "a3"}
	before := st.AlertReads()
	observe(other, c)
	if !other.declared.has("inc-1") {
		t.Fatal("another manager did not learn the declaration from the stored incident")
	}
	// Not knowing, it prefetched the alerts; the read ends on its own.
	for deadline := time.Now().Add(10 * time.Second); st.AlertReads() == before; {
		if time.Now().After(deadline) {
			t.Fatal("another manager did not prefetch the alerts of an incident it did not know declared")
		}
		time.Sleep(time.Millisecond)
	}
	clk.Add(time.Minute)
	c.AlertIDs = []string{"a1", "a2", "a3", "a4"}
	if n := observe(other, c); n != 0 {
		t.Fatalf("second update seen by another manager: %d alert reads, want 0", n)
	}
}

func TestNotifyDeadlineOverrides(t *testing.T) {
	cfg := testConfig(t, `
deadlines:
  notify: 72h
  tenants: {fast: 24h}
  regulations: {sec: 96h}
  tenant_regulations: {bank: sec, fast: sec}
`)
	for tenant, want := range map[string]time.Duration{"acme": 72 * time.Hour, "fast": 24 * time.Hour, "bank": 96 * time.Hour} {
		if got := cfg.Deadlines.NotifyDeadline(tenant); got != want {
			t.Errorf("%s: %s, want %s", tenant, got, want)
		}
	}
}
