package escalate

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/escalate/escalatetest"
	"github.com/vigil-soc/vigil/event"
)

var update = flag.Bool("update", false, "rewrite golden files")

// reportFixture plays a fixed incident through its whole life.
func reportFixture(t *testing.T) (*Manager, *clock) {
	t.Helper()
	ctx := context.Background()
	cfg := testConfig(t, baseConfig+"\nsla: {confirm: 30m, contain: 2h, close: 72h}\n")
	st := escalatetest.New()
	clk := newClock(t0)
	mg := newTestManager(t, cfg, st, clk)
	st.AddEvents(
		event.Event{Timestamp: t0.Add(-42 * time.Minute), Event: event.Meta{ID: "e0", Dataset: "azure.signinlogs", Action: "Sign-in", Outcome: "failure"},
			User: event.User{Name: "alice@acme.example"}, Source: event.Endpoint{IP: "203.0.113.7"}},
		event.Event{Timestamp: t0.Add(-40 * time.Minute), Event: event.Meta{ID: "e1", Dataset: "azure.signinlogs", Action: "Sign-in", Outcome: "success"},
			User: event.User{Name: "alice@acme.example"}, Source: event.Endpoint{IP: "203.0.113.7"}},
		event.Event{Timestamp: t0.Add(-35 * time.Minute), Event: event.Meta{ID: "e2", Dataset: "o365.audit", Action: "New-InboxRule", Outcome: "success"},
			User: event.User{Name: "alice@acme.example"}, Source: event.Endpoint{IP: "203.0.113.7"}},
	)
	st.AddAlerts(
		// A signal: counted in the summary, its event (not the alert) on
		// the timeline.
		event.Alert{ID: "a0", Tenant: "acme", DetectionID: "entra-signin-failed", Title: "Failed sign-in", Signal: true,
			Severity: event.SeverityLow, Techniques: []string{"T1110"}, Tactics: []string{"credential-access"},
			Entities: []event.Entity{{Kind: event.EntityUser, Value: "alice@acme.example"}, {Kind: event.EntityIP, Value: "203.0.113.7"}},
			EventIDs: []string{"e0"}, Timestamp: t0.Add(-42 * time.Minute)},
		event.Alert{ID: "a1", Tenant: "acme", DetectionID: "azure.signin_anonymous_ip", Title: "Sign-in from an anonymising proxy",
			Severity: event.SeverityMedium, Techniques: []string{"T1078.004"}, Tactics: []string{"initial-access"},
			Entities: []event.Entity{{Kind: event.EntityUser, Value: "alice@acme.example"}, {Kind: event.EntityIP, Value: "203.0.113.7"}},
			EventIDs: []string{"e1"}, Timestamp: t0.Add(-40 * time.Minute)},
		event.Alert{ID: "a2", Tenant: "acme", DetectionID: "o365.external_forwarding_rule", Title: "Inbox rule forwards mail externally",
			Severity: event.SeverityHigh, Techniques: []string{"T1114.003"}, Tactics: []string{"collection"},
			Entities: []event.Entity{{Kind: event.EntityMailbox, Value: "alice@acme.example"}},
			EventIDs: []string{"e2"}, Timestamp: t0.Add(-35 * time.Minute)},
	)
	c := candidate("inc-golden", event.SeverityHigh, 70, "a0", "a1", "a2")
	c.FirstSeen, c.LastSeen = t0.Add(-42*time.Minute), t0.Add(-35*time.Minute)
	c.EventIDs = []string{"e0", "e1", "e2"}
	c.Techniques = []string{"T1078.004", "T1114.003"}
	c.Tactics = []string{"collection", "initial-access"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(mg.Observe(ctx, []event.Incident{c}))
	clk.Add(20 * time.Minute)
	_, err := mg.Transition(ctx, "inc-golden", event.StatusTriage, "alice", "taking it")
	must(err)
	clk.Add(40 * time.Minute)
	_, err = mg.Transition(ctx, "inc-golden", event.StatusConfirmed, "alice", "user did not create the rule")
	must(err)
	clk.Add(3 * time.Hour)
	_, err = mg.Transition(ctx, "inc-golden", event.StatusContained, "alice", "sessions revoked, rule removed")
	must(err)
	clk.Add(time.Hour)
	_, err = mg.AddNote(ctx, "inc-golden", "bob", "follow-up: block legacy auth for the tenant")
	must(err)
	clk.Add(20 * time.Hour)
	_, err = mg.MarkCustomerNotified(ctx, "inc-golden", "bob", "mail to the security contact")
	must(err)
	for _, to := range []event.Status{event.StatusEradicated, event.StatusRecovered} {
		clk.Add(2 * time.Hour)
		_, err = mg.Transition(ctx, "inc-golden", to, "alice", "password reset, MFA enforced")
		must(err)
	}
	return mg, clk
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if got != string(want) {
		t.Fatalf("%s differs (go test -run %s -update, then review the diff):\n%s", path, t.Name(), got)
	}
}

func TestReportGolden(t *testing.T) {
	mg, _ := reportFixture(t)
	got, err := mg.Report(context.Background(), "inc-golden")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/report.golden.md", got)
}

func TestNotificationDraft(t *testing.T) {
	mg, _ := reportFixture(t)
	got, err := mg.NotificationDraft(context.Background(), "inc-golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"T1114.003 Email Collection", "alice@acme.example", "3 related events and 3 alerts",
		"contained — sessions revoked", "Remove mailbox forwarding and inbox rules", "Reset the credentials",
		"due to you by 2025-03-06 10:00 UTC", "next update by",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("draft lacks %q:\n%s", want, got)
		}
	}
	golden(t, "testdata/notification.golden.md", got)
}

// TestReportVersions checks that the report lists the versions where the
// status or the severity changed, with the first and the newest.
func TestReportVersions(t *testing.T) {
	v := func(n uint64, st event.Status, sev event.Severity, alerts int) event.Incident {
		return event.Incident{Version: n, Status: st, Severity: sev, AlertIDs: make([]string, alerts), UpdatedAt: t0.Add(time.Duration(n) * time.Minute)}
	}
	var b strings.Builder
	writeVersions(&b, []event.Incident{
		v(1, event.StatusCandidate, event.SeverityHigh, 1),
		v(2, event.StatusCandidate, event.SeverityHigh, 2), // evidence only
		v(3, event.StatusCandidate, event.SeverityCritical, 3),
		v(4, event.StatusConfirmed, event.SeverityCritical, 3),
		v(5, event.StatusConfirmed, event.SeverityCritical, 4), // evidence only
		v(6, event.StatusConfirmed, event.SeverityCritical, 5), // the newest
	})
	var listed []string
	for _, line := range strings.Split(b.String(), "\n") {
		if f := strings.Split(line, " | "); len(f) > 1 && strings.HasPrefix(line, "| ") && line[2] >= '0' && line[2] <= '9' {
			listed = append(listed, strings.TrimPrefix(f[0], "| "))
		}
	}
	if got := strings.Join(listed, ","); got != "1,3,4,6" {
		t.Fatalf("listed versions %s, want 1,3,4,6:\n%s", got, b.String())
	}
	if !strings.Contains(b.String(), "6 versions in all") {
		t.Errorf("no count of all versions:\n%s", b.String())
	}
}
