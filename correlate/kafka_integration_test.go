package correlate

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/kafkagroup"
	"github.com/vigil-soc/vigil/internal/testenv"
)

// memSink keeps the highest version of each incident, as storage does.
type memSink struct {
	mu    sync.Mutex
	incs  map[string]event.Incident
	calls int
}

func newMemSink() *memSink { return &memSink{incs: map[string]event.Incident{}} }

func (s *memSink) Incidents(_ context.Context, incs []event.Incident) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	for _, inc := range incs {
		if prev, ok := s.incs[inc.ID]; !ok || inc.Version >= prev.Version {
			s.incs[inc.ID] = inc
		}
	}
	return nil
}

func (s *memSink) snapshot() map[string]event.Incident {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.incs)
}

// shape is an incident reduced to what must agree across runs.
func shape(incs map[string]event.Incident) map[string]string {
	out := map[string]string{}
	for id, inc := range incs {
		ids := slices.Clone(inc.AlertIDs)
		slices.Sort(ids)
		out[id] = fmt.Sprintf("%s %s %s v%d %s %v", inc.Tenant, inc.Rule, inc.Key, inc.Version, inc.Severity, ids)
	}
	return out
}

func diffShapes(got, want map[string]string) string {
	var b strings.Builder
	keys := slices.Sorted(maps.Keys(want))
	for _, k := range keys {
		if got[k] != want[k] {
			fmt.Fprintf(&b, "\n  %s: got %q want %q", k, got[k], want[k])
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "\n  %s: unexpected %q", k, got[k])
		}
	}
	return b.String()
}

func integrationLogger() *slog.Logger {
	if os.Getenv("VIGIL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func groupConfig(brokers []string, group, topic string) kafkagroup.Config {
	return kafkagroup.Config{
		Brokers: brokers, GroupID: group, Topics: []string{topic},
		MaxBatchRecords: 50, MaxWait: 20 * time.Millisecond, CommitInterval: 100 * time.Millisecond,
		SessionTimeout: 10 * time.Second, RebalanceTimeout: 10 * time.Second, HeartbeatInterval: 500 * time.Millisecond,
		DrainTimeout: 2 * time.Second, RetryBackoff: 10 * time.Millisecond, MaxRetryBackoff: 100 * time.Millisecond,
	}
}

// startRunner runs a Runner in group until the returned stop is called.
func startRunner(t *testing.T, brokers []string, group, topic string, rules []Rule, sink IncidentSink, m *Metrics) func() {
	t.Helper()
	r, err := NewRunner(RunnerConfig{
		Correlator: Config{Rules: rules, Lateness: time.Minute, Logger: integrationLogger(), Metrics: m},
		Brokers:    brokers,
	}, sink)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close) // registered first, so it runs after the runner stopped
	return testenv.Background(t, func(ctx context.Context) error {
		return r.Run(ctx, groupConfig(brokers, group, topic), nil)
	})
}

func publish(t *testing.T, brokers []string, topic string, rules []Rule, alerts []event.Alert) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	// A fresh topic's metadata may take a moment to reach the writer.
	var err error
	for attempt := range 20 {
		var p *Publisher
		p, err = NewPublisher(PublisherConfig{Brokers: brokers, Topic: topic}, rules, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = p.Publish(ctx, alerts)
		p.Close()
		if err == nil {
			return
		}
		t.Logf("publish attempt %d: %v", attempt+1, err)
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("publish: %v", err)
}

func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// liveBase is a recent event time, so that the rewind lookback (measured
// against record timestamps, i.e. now) covers every test record.
func liveBase() time.Time { return time.Now().UTC().Add(-20 * time.Minute).Truncate(time.Hour) }

// shift moves alerts built with al (relative to t0) to base.
func shift(as []event.Alert, base time.Time) []event.Alert {
	out := slices.Clone(as)
	for i := range out {
		out[i].Timestamp = base.Add(out[i].Timestamp.Sub(t0))
	}
	return out
}

func expected(t *testing.T, rules []Rule, alerts []event.Alert) map[string]string {
	t.Helper()
	c := newTestCorrelator(t, rules, func(cfg *Config) { cfg.Now = time.Now })
	return shape(run(c, alerts, false))
}

// TestKafkaKinds: a hand-built stream through Publisher → topic → Runner,
// with out-of-order alerts within lateness and duplicate deliveries.
func TestKafkaKinds(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 3)
	rules := mustRules(t, testRules)
	m := time.Minute
	stream := []event.Alert{
		// spray from 1.1.1.1: 3 distinct users, one out of order
		al("sp1", "okta.signin_failed", 0, "ip:1.1.1.1", "user:u1"),
		al("sp3", "okta.signin_failed", 2*m, "ip:1.1.1.1", "user:u3"),
		al("sp2", "okta.signin_failed", m+30*time.Second, "ip:1.1.1.1", "user:u2"),
		// brute force then success from 2.2.2.2
		al("bf1", "okta.signin_failed", 3*m, "ip:2.2.2.2", "user:zed"),
		al("bf2", "okta.signin_failed", 3*m+10*time.Second, "ip:2.2.2.2", "user:zed"),
		al("bf3", "okta.signin_failed", 3*m+20*time.Second, "ip:2.2.2.2", "user:zed"),
		al("ok1", "okta.signin_success", 4*m, "ip:2.2.2.2", "user:zed"),
		// entity: two detections on carol
		al("en1", "o365.inbox_forward", 5*m, "user:carol", "mailbox:carol@acme"),
		al("en2", "azure.risky_signin", 6*m, "user:carol", "ip:3.3.3.3"),
		// risk on host h9: 3 × 40
		withRisk(al("rk1", "host.odd", 7*m, "host:h9"), 40),
		withRisk(al("rk2", "host.odd", 8*m, "host:h9"), 40),
		withRisk(al("rk3", "host.odd", 9*m, "host:h9"), 40),
	}
	base := liveBase()
	stream = shift(stream, base)
	// Every alert delivered twice (at-least-once upstream).
	var twice []event.Alert
	for _, a := range stream {
		twice = append(twice, a, a)
	}
	publish(t, env.Brokers, topic, rules, twice)

	sink := newMemSink()
	startRunner(t, env.Brokers, "corr-kinds-"+topic, topic, rules, sink, nil)

	id := func(rule, key string, at time.Time) string { return IncidentID("acme", rule, key, at) }
	want := map[string]string{
		// Threshold, entity and risk ids use the start of the first window
		// that fired (epoch-aligned, window/2 apart); sequences the first alert.
		id("spray", "ip=1.1.1.1", base.Add(-5*m)):             "acme spray ip=1.1.1.1 v3 medium [sp1 sp2 sp3]",
		id("brute_then_success", "ip=2.2.2.2", base.Add(3*m)): "acme brute_then_success ip=2.2.2.2 v4 critical [bf1 bf2 bf3 ok1]",
		id("entity_user", "user=carol", base.Add(-30*m)):      "acme entity_user user=carol v2 low [en1 en2]",
		id("risk_host", "host=h9", base.Add(-30*m)):           "acme risk_host host=h9 v3 low [rk1 rk2 rk3]",
	}
	if got := expected(t, rules, twice); diffShapes(got, want) != "" {
		t.Fatalf("pure correlator disagrees with the hand-written expectation:%s", diffShapes(got, want))
	}
	waitUntil(t, "incidents", 60*time.Second, func() bool { return len(sink.snapshot()) >= len(want) })
	time.Sleep(500 * time.Millisecond) // let any stray extra incident arrive
	if d := diffShapes(shape(sink.snapshot()), want); d != "" {
		t.Fatalf("incidents differ:%s", d)
	}
}

func withRisk(a event.Alert, r int) event.Alert { a.RiskScore = r; return a }

// TestKafkaRestartMidSequence: a runner stops between the steps of a
// sequence; a new runner in the same group rebuilds the open state from the
// topic and completes the sequence into the same incident id. Incidents
// rebuilt from replayed records are not delivered again.
func TestKafkaRestartMidSequence(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 2)
	rules := mustRules(t, testRules, "brute_then_success", "spray")
	group := "corr-restart-" + topic
	base := liveBase()
	m := time.Minute
	first := shift([]event.Alert{
		// failures from 4.4.4.4, and a spray from 5.5.5.5 that completes
		// before the restart, in event-time order
		al("f1", "okta.signin_failed", 0, "ip:4.4.4.4"),
		al("p1", "okta.signin_failed", 0, "ip:5.5.5.5", "user:a"),
		al("f2", "okta.signin_failed", m, "ip:4.4.4.4"),
		al("p2", "okta.signin_failed", m, "ip:5.5.5.5", "user:b"),
		al("f3", "okta.signin_failed", 2*m, "ip:4.4.4.4"),
		al("p3", "okta.signin_failed", 2*m, "ip:5.5.5.5", "user:c"),
	}, base)
	publish(t, env.Brokers, topic, rules, first)

	sink1, m1 := newMemSink(), NewMetrics(nil)
	stop1 := startRunner(t, env.Brokers, group, topic, rules, sink1, m1)
	waitUntil(t, "first runner to read 12 records", 60*time.Second, func() bool { return value(t, m1.records) >= 12 })
	waitUntil(t, "spray incident", 10*time.Second, func() bool { return len(sink1.snapshot()) > 0 })
	if got := shape(sink1.snapshot()); len(got) != 1 {
		t.Fatalf("before the restart: %v", got)
	}
	stop1()

	sink2, m2 := newMemSink(), NewMetrics(nil)
	startRunner(t, env.Brokers, group, topic, rules, sink2, m2)
	waitUntil(t, "second runner to replay", 60*time.Second, func() bool { return value(t, m2.records) >= 12 })
	if n := len(sink2.snapshot()); n != 0 {
		t.Fatalf("replay delivered %d incidents again", n)
	}
	if s := value(t, m2.suppressed); s < 1 {
		t.Fatalf("replay suppressed %v incident changes, want the spray", s)
	}

	publish(t, env.Brokers, topic, rules, shift([]event.Alert{al("s1", "okta.signin_success", 5*m, "ip:4.4.4.4")}, base))
	wantID := IncidentID("acme", "brute_then_success", "ip=4.4.4.4", base)
	waitUntil(t, "sequence incident", 30*time.Second, func() bool { _, ok := sink2.snapshot()[wantID]; return ok })
	got := sink2.snapshot()[wantID]
	if ids := slices.Sorted(slices.Values(got.AlertIDs)); !slices.Equal(ids, []string{"f1", "f2", "f3", "s1"}) {
		t.Fatalf("sequence alerts %v", ids)
	}
}

// TestKafkaScaleOut: three runners in one group and one runner in another
// group read the same topic and end with the same incidents, which are the
// ones a single in-memory Correlator produces.
func TestKafkaScaleOut(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 6)
	rules := mustRules(t, testRules)
	stream := shift(mixedStream(400, 11), liveBase())
	want := expected(t, rules, stream)
	if len(want) < 10 {
		t.Fatalf("stream too small: %d incidents", len(want))
	}
	// Publish in chunks so that records interleave with consumption.
	publish(t, env.Brokers, topic, rules, stream[:200])

	one, three := newMemSink(), newMemSink()
	startRunner(t, env.Brokers, "corr-one-"+topic, topic, rules, one, nil)
	var ms []*Metrics
	for range 3 {
		ms = append(ms, NewMetrics(nil))
		startRunner(t, env.Brokers, "corr-three-"+topic, topic, rules, three, ms[len(ms)-1])
	}
	// The second half goes out once all three own partitions, so each of
	// them has records of its own to handle.
	env.WaitGroupStable(t, "corr-three-"+topic, 3)
	publish(t, env.Brokers, topic, rules, stream[200:])

	for name, s := range map[string]*memSink{"one runner": one, "three runners": three} {
		deadline := time.Now().Add(90 * time.Second)
		for diffShapes(shape(s.snapshot()), want) != "" && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
		}
		if d := diffShapes(shape(s.snapshot()), want); d != "" {
			t.Errorf("%s: incidents differ from the single correlator:%s", name, d)
		}
	}
	// The work must really have been shared: the second half spans all six
	// partitions, two per runner.
	for i, m := range ms {
		n := value(t, m.records)
		t.Logf("runner %d of three handled %v records", i, n)
		if n == 0 {
			t.Errorf("runner %d of three handled no records", i)
		}
	}
	ids := slices.Sorted(maps.Keys(want))
	t.Logf("%d incidents agree; first %s", len(ids), want[ids[0]])
}
