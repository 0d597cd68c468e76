package escalate

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/escalate/escalatetest"
	"github.com/vigil-soc/vigil/event"
)

// A batch is read in two statements, whatever its size, and ends in the
// same state as the same candidates observed one call at a time: the same
// incident rows, timeline and deliveries.
func TestObserveBatchReadsOnceAndMatchesOneByOne(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, baseConfig)
	alerts := []event.Alert{
		{ID: "a1", Severity: event.SeverityLow}, {ID: "a2", Severity: event.SeverityMedium},
		{ID: "a3", Severity: event.SeverityCritical}, {ID: "a4", Severity: event.SeverityLow},
		{ID: "sig", Severity: event.SeverityLow, Signal: true},
	}
	existing := candidate("inc-old", event.SeverityLow, 20, "a1")
	grown := existing
	grown.AlertIDs = []string{"a1", "a4"}
	first := candidate("inc-dup", event.SeverityLow, 20, "a2")
	second := first
	second.AlertIDs, second.Severity = []string{"a2", "sig", "a4"}, event.SeverityMedium
	batch := []event.Incident{
		candidate("inc-new", event.SeverityMedium, 40, "a2"),
		first,
		candidate("inc-critical", event.SeverityCritical, 90, "a3"), // the policy confirms it
		grown,
		second, // the same incident again: merged after first, not beside it
	}

	type outcome struct {
		incidents  map[string]event.Incident
		versions   map[string][]event.Incident
		timeline   map[string][]event.TimelineEntry
		deliveries []event.Delivery
	}
	run := func(oneByOne bool) (outcome, *escalatetest.Store) {
		st := escalatetest.New()
		st.AddAlerts(alerts...)
		clk := newClock(t0)
		mg := newTestManager(t, cfg, st, clk)
		if err := mg.Observe(ctx, []event.Incident{existing}); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
		if oneByOne {
			for _, c := range batch {
				if err := mg.Observe(ctx, []event.Incident{c}); err != nil {
					t.Fatal(err)
				}
			}
		} else {
			incReads, alertReads := st.IncidentReads(), st.AlertReads()
			if err := mg.Observe(ctx, batch); err != nil {
				t.Fatal(err)
			}
			if n := st.IncidentReads() - incReads; n != 1 {
				t.Errorf("a batch of %d candidates read incidents %d times, want 1", len(batch), n)
			}
			if n := st.AlertReads() - alertReads; n != 1 {
				t.Errorf("a batch of %d candidates read alerts %d times, want 1", len(batch), n)
			}
		}
		out := outcome{incidents: map[string]event.Incident{}, versions: map[string][]event.Incident{},
			timeline: map[string][]event.TimelineEntry{}, deliveries: st.Deliveries()}
		for _, c := range append(batch, existing) {
			inc, err := st.Incident(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			out.incidents[c.ID] = inc
			out.versions[c.ID], _ = st.IncidentVersions(ctx, c.ID)
			out.timeline[c.ID], _ = st.Timeline(ctx, c.ID)
		}
		return out, st
	}
	batched, _ := run(false)
	single, _ := run(true)
	for id, want := range single.incidents {
		if got := batched.incidents[id]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s after a batch:\n %+v\nafter one call each:\n %+v", id, got, want)
		}
		if got, want := batched.versions[id], single.versions[id]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: versions differ: %d after a batch, %d after one call each", id, len(got), len(want))
		}
		if got, want := batched.timeline[id], single.timeline[id]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: timeline after a batch:\n %+v\nafter one call each:\n %+v", id, got, want)
		}
	}
	if !reflect.DeepEqual(batched.deliveries, single.deliveries) {
		t.Errorf("deliveries after a batch %+v, after one call each %+v", batched.deliveries, single.deliveries)
	}
	// The outcome itself, so that two equally wrong runs do not pass.
	if inc := batched.incidents["inc-dup"]; inc.Version != 2 || !slices.Equal(inc.AlertIDs, []string{"a2", "sig", "a4"}) ||
		inc.Severity != event.SeverityMedium {
		t.Errorf("inc-dup = version %d, alerts %v, %s; want version 2 with a2, sig, a4, medium", inc.Version, inc.AlertIDs, inc.Severity)
	}
	if inc := batched.incidents["inc-critical"]; inc.Status != event.StatusConfirmed || len(batched.deliveries) != 1 {
		t.Errorf("inc-critical = %s with %d deliveries, want confirmed and paged once", inc.Status, len(batched.deliveries))
	}
	if inc := batched.incidents["inc-old"]; inc.Version != 2 || !slices.Equal(inc.AlertIDs, []string{"a1", "a4"}) {
		t.Errorf("inc-old = version %d, alerts %v; want version 2 with a1, a4", inc.Version, inc.AlertIDs)
	}
}

// Batches that share incidents, and analysts' transitions, run at the same
// time without losing a change: every write of an incident has a version
// of its own, and the last one holds every alert and the transition.
func TestObserveBatchesAndTransitionsDoNotOverwriteEachOther(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, baseConfig)
	st := escalatetest.New()
	var mu sync.Mutex
	written := map[string]map[uint64]event.Incident{}
	var collisions []string
	st.BeforeWriteIncidents = func(incs []event.Incident) error {
		mu.Lock()
		defer mu.Unlock()
		for _, inc := range incs {
			if written[inc.ID] == nil {
				written[inc.ID] = map[uint64]event.Incident{}
			}
			if prev, ok := written[inc.ID][inc.Version]; ok && !reflect.DeepEqual(prev, inc) {
				collisions = append(collisions, fmt.Sprintf("%s v%d", inc.ID, inc.Version))
			}
			written[inc.ID][inc.Version] = inc
		}
		return nil
	}
	mg := newTestManager(t, cfg, st, newClock(t0))
	ids := []string{"inc-a", "inc-b", "inc-c", "inc-d"}
	var seed []event.Incident
	for _, id := range ids {
		seed = append(seed, candidate(id, event.SeverityLow, 20, "a0"))
	}
	if err := mg.Observe(ctx, seed); err != nil {
		t.Fatal(err)
	}

	const rounds = 40
	var wg sync.WaitGroup
	// Two streams of batches, each over every incident in its own order.
	for w := range 2 {
		wg.Go(func() {
			for r := range rounds {
				var batch []event.Incident
				for i := range ids {
					id := ids[(i+w)%len(ids)]
					alertsSoFar := []string{"a0"}
					for k := 0; k <= r; k++ {
						alertsSoFar = append(alertsSoFar, fmt.Sprintf("w%d-%d", w, k))
					}
					batch = append(batch, candidate(id, event.SeverityLow, 20, alertsSoFar...))
				}
				if err := mg.Observe(ctx, batch); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for _, id := range ids {
			if _, err := mg.Transition(ctx, id, event.StatusTriage, "alice", "looking"); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()

	if len(collisions) > 0 {
		t.Fatalf("different incidents written under the same version: %v", collisions)
	}
	for _, id := range ids {
		inc, err := st.Incident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		// Created, 2×rounds alert additions, one transition.
		if want := uint64(1 + 2*rounds + 1); inc.Version != want {
			t.Errorf("%s: version %d, want %d", id, inc.Version, want)
		}
		if inc.Status != event.StatusTriage || len(inc.AlertIDs) != 1+2*rounds {
			t.Errorf("%s: %s with %d alerts, want triage with %d", id, inc.Status, len(inc.AlertIDs), 1+2*rounds)
		}
	}
}

// An incident's alerts are read in full once: an update reads only the
// alerts it adds, and those whose count a refold raised since, so the
// policy always decides on current rows.
func TestObserveRereadsOnlyNewAndRefoldedAlerts(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, baseConfig)
	st := escalatetest.New()
	alert := func(id string, n int) event.Alert {
		return event.Alert{ID: id, Count: n, Severity: event.SeverityMedium, Timestamp: t0}
	}
	st.AddAlerts(alert("a1", 1), alert("a2", 1), alert("a3", 1), event.Alert{ID: "s1", Count: 1, Signal: true})
	mg, m := policyManager(t, cfg, st, newClock(t0), `package vigil.escalate
default confirm := false
confirm if count(reasons) > 0
reasons contains "an alert folded five findings" if {
	some a in input.alerts
	a.count >= 5
}`)
	steps := []struct {
		name      string
		alerts    []string
		refold    []event.Alert
		wantRead  []string
		confirmed bool
	}{
		{"new incident", []string{"a1", "a2", "s1"}, nil, []string{"a1", "a2"}, false},
		{"one more alert", []string{"a1", "a2", "s1", "a3"}, nil, []string{"a3"}, false},
		{"no change", []string{"a1", "a2", "s1", "a3"}, nil, nil, false},
		{"a refold raises a2's count", []string{"a1", "a2", "s1", "a3"}, []event.Alert{alert("a2", 5)}, []string{"a2"}, true},
	}
	for _, step := range steps {
		st.AddAlerts(step.refold...)
		st.AlertIDsRead()
		c := candidate("inc-1", event.SeverityMedium, 40, step.alerts...)
		if err := mg.Observe(ctx, []event.Incident{c}); err != nil {
			t.Fatal(err)
		}
		if got := st.AlertIDsRead(); !slices.Equal(got, step.wantRead) {
			t.Errorf("%s: read alerts %v in full, want %v", step.name, got, step.wantRead)
		}
		inc, _ := st.Incident(ctx, "inc-1")
		if got := inc.Status == event.StatusConfirmed; got != step.confirmed {
			t.Errorf("%s: confirmed = %v, want %v", step.name, got, step.confirmed)
		}
	}
	// 2 + 3 + 3 + 3 alerts read for the policy; 2 + 1 + 0 + 1 of them in full.
	if cached, stored := value(m.alertReads.WithLabelValues("cache")), value(m.alertReads.WithLabelValues("store")); cached != 7 || stored != 4 {
		t.Errorf("alert reads counted %v from the cache and %v from the store, want 7 and 4", cached, stored)
	}
}

// A policy that fails on one incident fails the same way on every retry:
// the incident is stored for analysts with the failure on its timeline,
// the failure is counted, and the batch (and the stream behind it) goes on.
func TestPolicyFailureDoesNotStopTheStream(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, baseConfig)
	st := escalatetest.New()
	mg, m := policyManager(t, cfg, st, newClock(t0), `package vigil.escalate
default confirm := false
confirm := true if input.incident.rule == "boom"
confirm := false if input.incident.rule == "boom"
confirm := true if input.incident.severity == "critical"`)
	boom := candidate("inc-boom", event.SeverityHigh, 50, "a1")
	boom.Rule = "boom"
	other := candidate("inc-critical", event.SeverityCritical, 50, "a2")
	for range 2 { // the second time as a replay: the entry is not repeated
		if err := mg.Observe(ctx, []event.Incident{boom, other}); err != nil {
			t.Fatalf("Observe returned %v; a policy failure must not fail the batch", err)
		}
	}
	if inc, err := st.Incident(ctx, "inc-boom"); err != nil || inc.Status != event.StatusCandidate {
		t.Fatalf("inc-boom = %+v, %v; want it stored as a candidate", inc, err)
	}
	if inc, _ := st.Incident(ctx, "inc-critical"); inc.Status != event.StatusConfirmed {
		t.Errorf("inc-critical = %s; the other incident of the batch must still be decided", inc.Status)
	}
	tl, _ := st.Timeline(ctx, "inc-boom")
	var failed []event.TimelineEntry
	for _, e := range tl {
		if e.Action == ActionPolicyFailed {
			failed = append(failed, e)
		}
	}
	if len(failed) != 1 || !strings.Contains(failed[0].Detail, "conflict") {
		t.Errorf("timeline holds %d policy failures (%+v); want one that says what failed", len(failed), failed)
	}
	if got := value(m.policyErrors); got != 2 {
		t.Errorf("policy errors counted %v, want 2", got)
	}
}

// A decision that runs past escalate.policy_timeout is a policy failure:
// counted, on the timeline, and the batch goes on.
func TestPolicyTimeLimit(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, baseConfig+"policy_timeout: 50ms\n")
	// About 10^10 steps for a risk score of 100 000; a handful at load,
	// where the check runs with an empty incident.
	st := escalatetest.New()
	mg, m := policyManager(t, cfg, st, newClock(t0), `package vigil.escalate
default confirm := false
confirm if {
	every x in numbers.range(1, input.incident.risk_score) {
		every y in numbers.range(1, input.incident.risk_score) {
			x + y > 0
		}
	}
	false
}`)
	c := candidate("inc-slow", event.SeverityHigh, 50, "a1")
	c.RiskScore = 100000
	if err := mg.Observe(ctx, []event.Incident{c}); err != nil {
		t.Fatalf("Observe returned %v; a decision past its time limit must not fail the batch", err)
	}
	tl, _ := st.Timeline(ctx, "inc-slow")
	i := slices.IndexFunc(tl, func(e event.TimelineEntry) bool { return e.Action == ActionPolicyFailed })
	if i < 0 || !strings.Contains(tl[i].Detail, "time limit") {
		t.Fatalf("timeline %+v: want a policy failure that names the time limit", tl)
	}
	if got := value(m.policyErrors); got != 1 {
		t.Errorf("policy errors counted %v, want 1", got)
	}
}

// policyManager is a Manager over st deciding with the policy src, and
// its metrics.
func policyManager(t *testing.T, cfg Config, st *escalatetest.Store, clk *clock, src string) (*Manager, *Metrics) {
	t.Helper()
	ctx := context.Background()
	p, err := CompilePolicy(ctx, "test.rego", src)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(nil)
	mg, err := NewManager(ctx, cfg, st, Options{Now: clk.Now, Policy: p, Metrics: m,
		IsNotFound: func(err error) bool { return errors.Is(err, escalatetest.ErrNotFound) }})
	if err != nil {
		t.Fatal(err)
	}
	return mg, m
}

// A backlog's batch is taken in parts of maxObserveBatch incidents, each
// locked and read on its own, and every incident of it is stored.
func TestObserveTakesALargeBatchInParts(t *testing.T) {
	ctx := context.Background()
	st := escalatetest.New()
	mg := newTestManager(t, testConfig(t, baseConfig), st, newClock(t0))
	n := 2*maxObserveBatch + 1
	var batch []event.Incident
	for i := range n {
		batch = append(batch, candidate(fmt.Sprintf("inc-%d", i), event.SeverityLow, 20, fmt.Sprintf("a%d", i)))
	}
	before := st.IncidentReads()
	if err := mg.Observe(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if got := st.IncidentReads() - before; got != 3 {
		t.Errorf("%d candidates read in %d parts, want 3", n, got)
	}
	for _, c := range batch {
		if _, err := st.Incident(ctx, c.ID); err != nil {
			t.Fatalf("%s not stored: %v", c.ID, err)
		}
	}
}

// The postmortem counts a policy failure among the lapses and asks for the
// policy to be fixed.
func TestReportNamesPolicyFailures(t *testing.T) {
	ctx := context.Background()
	st := escalatetest.New()
	mg, _ := policyManager(t, testConfig(t, baseConfig), st, newClock(t0), `package vigil.escalate
default confirm := false
confirm := true if input.incident.rule == "boom"
confirm := false if input.incident.rule == "boom"`)
	c := candidate("inc-boom", event.SeverityHigh, 50, "a1")
	c.Rule = "boom"
	if err := mg.Observe(ctx, []event.Incident{c}); err != nil {
		t.Fatal(err)
	}
	report, err := mg.Report(ctx, "inc-boom")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Auto-confirmation failed at", "eval_conflict_error", "Fix the auto-confirmation policy"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}
