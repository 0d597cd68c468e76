package escalate

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigil-soc/vigil/escalate/escalatetest"
	"github.com/vigil-soc/vigil/event"
)

// receiver is a local HTTP endpoint that records what it gets, verifies
// signatures and can fail on demand.
type receiver struct {
	t      testing.TB
	srv    *httptest.Server
	secret []byte

	mu     sync.Mutex
	fail   int // answer 503 to this many more requests
	total  int
	keys   map[string]int
	bodies [][]byte
	hdrs   []http.Header
}

func newReceiver(t testing.TB, secret string) *receiver {
	r := &receiver{t: t, keys: map[string]int{}}
	if secret != "" {
		r.secret = []byte(secret)
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secret != nil && !VerifySignature(r.secret, body, req.Header.Get(HeaderSignature)) {
		r.t.Errorf("bad signature %q", req.Header.Get(HeaderSignature))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if r.fail > 0 {
		r.fail--
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	r.total++
	r.keys[req.Header.Get(HeaderIdempotencyKey)]++
	r.bodies = append(r.bodies, body)
	r.hdrs = append(r.hdrs, req.Header.Clone())
	w.WriteHeader(http.StatusAccepted)
}

func (r *receiver) counts() (distinct, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.keys), r.total
}

func newTestDispatcher(t testing.TB, cfg Config, st *escalatetest.Store, clk *clock, m *Metrics, env map[string]string) *Dispatcher {
	t.Helper()
	d, err := NewDispatcher(cfg, st, st.Declared, DispatcherOptions{
		Now: clk.Now, Rand: func() float64 { return 0.5 }, Metrics: m,
		Getenv: func(k string) string { return env[k] },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestTargetFormats(t *testing.T) {
	ctx := context.Background()
	hook := newReceiver(t, "s3cret")
	pd := newReceiver(t, "")
	slack := newReceiver(t, "")
	cfg := testConfig(t, `
targets:
  - {name: hook, type: webhook, url: "`+hook.srv.URL+`", secret_env: HOOK_SECRET, timeout: 2s}
  - {name: pd, type: pagerduty, url: "`+pd.srv.URL+`", routing_key_env: PD_KEY}
  - {name: chat, type: slack, url_env: SLACK_URL}
routes:
  - {name: all, chain: [{targets: [hook, pd, chat]}]}
`)
	env := map[string]string{"HOOK_SECRET": "s3cret", "PD_KEY": "R0UT1NG", "SLACK_URL": slack.srv.URL}
	st := escalatetest.New()
	clk := newClock(t0)
	mg := newTestManager(t, cfg, st, clk)
	disp := newTestDispatcher(t, cfg, st, clk, nil, env)
	if err := mg.Observe(ctx, []event.Incident{candidate("inc-1", event.SeverityCritical, 95, "a1")}); err != nil {
		t.Fatal(err)
	}
	if n, err := disp.Dispatch(ctx, clk.Now()); err != nil || n != 3 {
		t.Fatalf("dispatch: %d, %v", n, err)
	}
	for _, d := range st.Deliveries() {
		if d.Status != event.DeliveryDelivered || d.Attempts != 1 || d.Version != 2 {
			t.Errorf("delivery %s: %+v", d.Target, d)
		}
	}

	t.Run("webhook", func(t *testing.T) {
		if len(hook.bodies) != 1 {
			t.Fatalf("webhook got %d requests", len(hook.bodies))
		}
		h := hook.hdrs[0]
		if h.Get(HeaderIdempotencyKey) != DeliveryKey("inc-1", "hook", KindEscalation, "") || h.Get(HeaderTimestamp) == "" ||
			!strings.HasPrefix(h.Get(HeaderSignature), "sha256=") || h.Get("Content-Type") != "application/json" {
			t.Fatalf("headers: %v", h)
		}
		var m Message
		if err := json.Unmarshal(hook.bodies[0], &m); err != nil {
			t.Fatal(err)
		}
		if m.Kind != KindEscalation || m.Incident.ID != "inc-1" || m.Incident.Severity != event.SeverityCritical ||
			m.IdempotencyKey != h.Get(HeaderIdempotencyKey) || !m.Incident.NotifyBy.Equal(t0.Add(72*time.Hour)) {
			t.Fatalf("body: %+v", m)
		}
		// The version the page was decided on: the confirmed one.
		inc, err := st.Incident(ctx, "inc-1")
		if err != nil {
			t.Fatal(err)
		}
		if m.Incident.Version == 0 || m.Incident.Version != inc.Version || inc.Status != event.StatusConfirmed {
			t.Fatalf("message carries version %d; stored incident is version %d (%s)", m.Incident.Version, inc.Version, inc.Status)
		}
	})
	t.Run("pagerduty", func(t *testing.T) {
		if len(pd.bodies) != 1 {
			t.Fatalf("pagerduty got %d requests", len(pd.bodies))
		}
		var ev struct {
			RoutingKey  string `json:"routing_key"`
			EventAction string `json:"event_action"`
			DedupKey    string `json:"dedup_key"`
			Payload     struct {
				Summary       string          `json:"summary"`
				Source        string          `json:"source"`
				Severity      string          `json:"severity"`
				CustomDetails json.RawMessage `json:"custom_details"`
			} `json:"payload"`
		}
		dec := json.NewDecoder(strings.NewReader(string(pd.bodies[0])))
		dec.DisallowUnknownFields()
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(pd.bodies[0], &raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(pd.bodies[0], &ev); err != nil {
			t.Fatal(err)
		}
		if ev.RoutingKey != "R0UT1NG" || ev.EventAction != "trigger" || ev.DedupKey != DeliveryKey("inc-1", "pd", KindEscalation, "") ||
			ev.Payload.Summary == "" || len(ev.Payload.Summary) > 1024 || ev.Payload.Source == "" || ev.Payload.Severity != "critical" ||
			len(ev.Payload.CustomDetails) == 0 {
			t.Fatalf("PagerDuty event: %+v", ev)
		}
		for k := range raw {
			switch k {
			case "routing_key", "event_action", "dedup_key", "payload", "client", "client_url", "links", "images":
			default:
				t.Errorf("field %q is not in Events API v2", k)
			}
		}
		// The routing key is a secret: it is added when sending, not stored.
		for _, d := range st.Deliveries() {
			if strings.Contains(d.Payload, "R0UT1NG") {
				t.Fatal("routing key stored in the outbox")
			}
		}
	})
	t.Run("slack", func(t *testing.T) {
		if len(slack.bodies) != 1 {
			t.Fatalf("slack got %d requests", len(slack.bodies))
		}
		var body struct {
			Text   string           `json:"text"`
			Blocks []map[string]any `json:"blocks"`
		}
		if err := json.Unmarshal(slack.bodies[0], &body); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body.Text, "Mailbox takeover of alice") || len(body.Blocks) == 0 || body.Blocks[0]["type"] != "section" {
			t.Fatalf("slack body: %s", slack.bodies[0])
		}
	})
}

func TestRetryBackoffAndChain(t *testing.T) {
	ctx := context.Background()
	soc := newReceiver(t, "")
	oncall := newReceiver(t, "")
	soc.fail = 1000
	cfg := testConfig(t, `
retry: {max_attempts: 5, initial_backoff: 1m, max_backoff: 3m, jitter: 0.5}
targets:
  - {name: soc, type: webhook, url: "`+soc.srv.URL+`"}
  - {name: oncall, type: webhook, url: "`+oncall.srv.URL+`"}
routes:
  - name: all
    chain:
      - {targets: [soc], max_attempts: 4}
      - {targets: [oncall]}
`)
	st := escalatetest.New()
	clk := newClock(t0)
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	mg := newTestManager(t, cfg, st, clk)
	disp := newTestDispatcher(t, cfg, st, clk, m, nil)
	if err := mg.Observe(ctx, []event.Incident{candidate("inc-1", event.SeverityCritical, 95, "a1")}); err != nil {
		t.Fatal(err)
	}
	socKey := DeliveryKey("inc-1", "soc", KindEscalation, "")
	get := func(key string) event.Delivery {
		for _, d := range st.Deliveries() {
			if d.Key == key {
				return d
			}
		}
		t.Fatalf("no delivery %s", key)
		return event.Delivery{}
	}
	// Backoff 1m·2^(n-1) capped at 3m; jitter 0.5 with rand 0.5 → 75%.
	wantWait := []time.Duration{45 * time.Second, 90 * time.Second, 135 * time.Second}
	for i, w := range wantWait {
		if _, err := disp.Dispatch(ctx, clk.Now()); err != nil {
			t.Fatal(err)
		}
		d := get(socKey)
		if d.Status != event.DeliveryPending || d.Attempts != i+1 || d.Version != uint64(i+2) || !strings.Contains(d.LastError, "503") {
			t.Fatalf("attempt %d: %+v", i+1, d)
		}
		if got := d.NextAttemptAt.Sub(clk.Now()); got != w {
			t.Fatalf("attempt %d: next in %s, want %s", i+1, got, w)
		}
		// Not due yet: nothing is sent.
		if n, _ := disp.Dispatch(ctx, clk.Now().Add(w-time.Second)); n != 0 {
			t.Fatalf("dispatched %d before the backoff elapsed", n)
		}
		clk.Set(d.NextAttemptAt)
	}
	// Fourth attempt: the level's max_attempts is reached → failed, level 1.
	if _, err := disp.Dispatch(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if d := get(socKey); d.Status != event.DeliveryFailed || d.Attempts != 4 {
		t.Fatalf("after max attempts: %+v", d)
	}
	if _, err := disp.Dispatch(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	chainKey := DeliveryKey("inc-1", "oncall", KindChain, "")
	if d := get(chainKey); d.Status != event.DeliveryDelivered || d.Level != 1 {
		t.Fatalf("level 1 delivery: %+v", d)
	}
	if distinct, total := oncall.counts(); distinct != 1 || total != 1 {
		t.Fatalf("level 1 receiver: %d keys, %d requests", distinct, total)
	}
	for name, want := range map[string]float64{
		"retry":     value(m.deliveries.WithLabelValues("soc", "retry")),
		"failed":    value(m.deliveries.WithLabelValues("soc", "failed")),
		"delivered": value(m.deliveries.WithLabelValues("oncall", "delivered")),
		"retries":   value(m.retries.WithLabelValues("soc")),
		"chain":     value(m.chain.WithLabelValues("1")),
	} {
		exp := map[string]float64{"retry": 3, "failed": 1, "delivered": 1, "retries": 3, "chain": 1}[name]
		if want != exp {
			t.Errorf("metric %s = %v, want %v", name, want, exp)
		}
	}
	if n := seriesCount(t, reg, "vigil_escalate_deliveries_total"); n != 3 {
		t.Errorf("vigil_escalate_deliveries_total series: %d", n)
	}
	tl, _ := st.Timeline(ctx, "inc-1")
	var failed, escalated bool
	for _, e := range tl {
		failed = failed || (e.Action == ActionDeliveryFailed && e.Ref == "soc")
		escalated = escalated || (e.Action == event.ActionEscalated && e.Ref == "oncall")
	}
	if !failed || !escalated {
		t.Fatalf("timeline lacks failure/escalation: %+v", tl)
	}
}

func TestEscalateAfterTime(t *testing.T) {
	ctx := context.Background()
	soc := newReceiver(t, "")
	oncall := newReceiver(t, "")
	soc.fail = 1000
	cfg := testConfig(t, `
retry: {max_attempts: 50, initial_backoff: 1m, max_backoff: 1m}
targets:
  - {name: soc, type: webhook, url: "`+soc.srv.URL+`"}
  - {name: oncall, type: webhook, url: "`+oncall.srv.URL+`"}
routes:
  - {name: all, chain: [{targets: [soc], escalate_after: 5m}, {targets: [oncall]}]}
`)
	st := escalatetest.New()
	clk := newClock(t0)
	mg := newTestManager(t, cfg, st, clk)
	disp := newTestDispatcher(t, cfg, st, clk, nil, nil)
	if err := mg.Observe(ctx, []event.Incident{candidate("inc-1", event.SeverityCritical, 95, "a1")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 7; i++ {
		if _, err := disp.Dispatch(ctx, clk.Now()); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
	}
	if distinct, _ := oncall.counts(); distinct != 1 {
		t.Fatalf("level 1 not reached after escalate_after: %d", distinct)
	}
}

// crashingStore fails the first n delivery writes that record an attempt:
// the process died after sending and before recording.
type crashingStore struct {
	*escalatetest.Store
	failRecords int
}

func (c *crashingStore) WriteDeliveries(ctx context.Context, ds []event.Delivery) error {
	if c.failRecords > 0 && len(ds) > 0 && ds[0].Attempts > 0 {
		c.failRecords--
		return errors.New("process killed")
	}
	return c.Store.WriteDeliveries(ctx, ds)
}

// TestCrashBetweenConfirmAndEscalate runs on the in-memory store (the
// ClickHouse variant is in the storage integration test of package api).
func TestCrashBetweenConfirmAndEscalate(t *testing.T) {
	ctx := context.Background()
	soc := newReceiver(t, "k")
	oncall := newReceiver(t, "k")
	cfg := testConfig(t, `
targets:
  - {name: soc, type: webhook, url: "`+soc.srv.URL+`", secret_env: S}
  - {name: oncall, type: webhook, url: "`+oncall.srv.URL+`", secret_env: S}
routes:
  - {name: all, chain: [{targets: [soc, oncall]}]}
`)
	env := map[string]string{"S": "k"}
	st := escalatetest.New()
	clk := newClock(t0)
	c := candidate("inc-1", event.SeverityCritical, 95, "a1")

	// Process 1: the outbox is written, then the process dies before the
	// incident row says confirmed.
	st.BeforeWriteIncidents = func(incs []event.Incident) error {
		if slices.ContainsFunc(incs, func(inc event.Incident) bool { return inc.Status == event.StatusConfirmed }) {
			return errors.New("process killed")
		}
		return nil
	}
	mg1 := newTestManager(t, cfg, st, clk)
	if err := mg1.Observe(ctx, []event.Incident{c}); err == nil {
		t.Fatal("crash not reported")
	}
	// The candidate version is written with the declaration: neither is.
	if inc, err := st.Incident(ctx, "inc-1"); err == nil {
		t.Fatalf("incident stored as %s although its write failed", inc.Status)
	}
	if n := len(st.Deliveries()); n != 2 {
		t.Fatalf("outbox after crash: %d deliveries", n)
	}

	// Process 2: correlation replays the incident; it is declared again
	// with the same delivery keys. Its dispatcher sends and dies before
	// recording the result.
	st.BeforeWriteIncidents = nil
	clk.Add(time.Minute)
	mg2 := newTestManager(t, cfg, st, clk)
	if err := mg2.Observe(ctx, []event.Incident{c}); err != nil {
		t.Fatal(err)
	}
	if inc, _ := st.Incident(ctx, "inc-1"); inc.Status != event.StatusConfirmed {
		t.Fatalf("status after restart: %s", inc.Status)
	}
	if n := len(st.Deliveries()); n != 2 {
		t.Fatalf("outbox after re-declaration: %d deliveries, want 2", n)
	}
	cs := &crashingStore{Store: st, failRecords: 1}
	d2 := newTestDispatcher(t, cfg, escalatetest.New(), clk, nil, env)
	d2.store = cs
	if _, err := d2.Dispatch(ctx, clk.Now()); err == nil {
		t.Fatal("crash while recording not reported")
	}

	// Process 3: sends again with the same idempotency keys.
	clk.Add(time.Minute)
	d3 := newTestDispatcher(t, cfg, st, clk, nil, env)
	if _, err := d3.Dispatch(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if n, _ := d3.Dispatch(ctx, clk.Now().Add(time.Hour)); n != 0 {
		t.Fatalf("%d deliveries still pending", n)
	}
	for name, r := range map[string]*receiver{"soc": soc, "oncall": oncall} {
		distinct, total := r.counts()
		if distinct != 1 {
			t.Errorf("%s: %d distinct idempotency keys, want 1", name, distinct)
		}
		if total != 2 {
			t.Errorf("%s: %d requests, want 2 (one repeat after the crash, dropped by key)", name, total)
		}
	}
	for _, d := range st.Deliveries() {
		if d.Status != event.DeliveryDelivered {
			t.Errorf("delivery %s: %s", d.Target, d.Status)
		}
	}
}

func TestDeadlines(t *testing.T) {
	ctx := context.Background()
	soc := newReceiver(t, "")
	oncall := newReceiver(t, "")
	cfg := testConfig(t, `
deadlines: {notify: 72h, reminders: [24h, 48h], remind_before: [6h]}
targets:
  - {name: soc, type: webhook, url: "`+soc.srv.URL+`"}
  - {name: oncall, type: webhook, url: "`+oncall.srv.URL+`"}
routes:
  - {name: all, chain: [{targets: [soc]}, {targets: [oncall]}]}
`)
	st := escalatetest.New()
	clk := newClock(t0)
	m := NewMetrics(prometheus.NewRegistry())
	mg := newTestManager(t, cfg, st, clk)
	mg.m = m
	disp := newTestDispatcher(t, cfg, st, clk, m, nil)
	if err := mg.Observe(ctx, []event.Incident{
		candidate("late", event.SeverityCritical, 95, "a1"),
		candidate("on-time", event.SeverityCritical, 95, "a2"),
	}); err != nil {
		t.Fatal(err)
	}
	step := func(at time.Duration) {
		t.Helper()
		clk.Set(t0.Add(at))
		if err := disp.Tick(ctx, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := disp.Dispatch(ctx, clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	step(time.Hour)
	if _, err := mg.MarkCustomerNotified(ctx, "on-time", "bob", "sent by mail"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at                 time.Duration
		reminders, missed  float64
		socKeys, oncallKey int
	}{
		{2 * time.Hour, 0, 0, 2, 0},   // the two declarations
		{24 * time.Hour, 1, 0, 3, 0},  // +24h
		{25 * time.Hour, 1, 0, 3, 0},  // once per mark
		{49 * time.Hour, 2, 0, 4, 0},  // +48h
		{66 * time.Hour, 3, 0, 5, 0},  // 6h before the deadline
		{72 * time.Hour, 3, 1, 5, 1},  // missed → top level
		{100 * time.Hour, 3, 1, 5, 1}, // once
	}
	for _, s := range steps {
		step(s.at)
		soc, _ := soc.counts()
		on, _ := oncall.counts()
		if got := value(m.reminders); got != s.reminders {
			t.Fatalf("at +%s: %v reminders, want %v", s.at, got, s.reminders)
		}
		if got := value(m.missed); got != s.missed {
			t.Fatalf("at +%s: %v missed, want %v", s.at, got, s.missed)
		}
		if soc != s.socKeys || on != s.oncallKey {
			t.Fatalf("at +%s: soc %d keys, oncall %d, want %d, %d", s.at, soc, on, s.socKeys, s.oncallKey)
		}
	}
	tl, _ := st.Timeline(ctx, "late")
	var marks []string
	for _, e := range tl {
		if e.Action == event.ActionReminder || e.Action == event.ActionDeadline {
			marks = append(marks, e.Action+e.Ref)
		}
	}
	if got := strings.Join(marks, " "); got != "deadline_reminder+24h0m0s deadline_reminder+48h0m0s deadline_reminder-6h0m0s deadline_missed" {
		t.Fatalf("timeline marks: %s", got)
	}
	if _, err := mg.MarkCustomerNotified(ctx, "nope", "bob", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown incident: %v", err)
	}
}

func value(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

func seriesCount(t testing.TB, g prometheus.Gatherer, name string) int {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.GetMetric())
		}
	}
	return 0
}

// pollCountingStore counts the dispatcher's outbox polls.
type pollCountingStore struct {
	*escalatetest.Store
	polls atomic.Int32
}

func (p *pollCountingStore) PendingDeliveries(ctx context.Context, due time.Time, limit int) ([]event.Delivery, error) {
	defer p.polls.Add(1)
	return p.Store.PendingDeliveries(ctx, due, limit)
}

// TestOutboxWriteWakesTheDispatcher checks that a declared incident's page
// goes out without waiting for the next poll: the poll interval here is an
// hour, so only the manager's wake-up can deliver it within the test.
func TestOutboxWriteWakesTheDispatcher(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hook := newReceiver(t, "")
	cfg := testConfig(t, `
poll_interval: 1h
targets:
  - {name: hook, type: webhook, url: "`+hook.srv.URL+`"}
routes:
  - {name: all, chain: [{targets: [hook]}]}
`)
	st := &pollCountingStore{Store: escalatetest.New()}
	clk := newClock(t0)
	disp, err := NewDispatcher(cfg, st, st.Declared, DispatcherOptions{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer disp.Close()
	mg, err := NewManager(ctx, cfg, st, Options{Now: clk.Now, OutboxWritten: disp.Wake,
		IsNotFound: func(err error) bool { return errors.Is(err, escalatetest.ErrNotFound) }})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- disp.Run(ctx) }()
	waitFor(t, "the dispatcher's first poll", func() bool { return st.polls.Load() >= 1 })

	if err := mg.Observe(ctx, []event.Incident{candidate("inc-1", event.SeverityCritical, 95, "a1")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the page", func() bool { _, total := hook.counts(); return total == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds; the limit is far above what the
// work needs and only ends a test that would otherwise hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The deadline check reads an incident's timeline only when a reminder or
// the deadline has come due that it does not already know is done: a
// declared incident that stays open for weeks costs no read per poll.
func TestDeadlineChecksReadTimelinesOnlyWhenSomethingIsDue(t *testing.T) {
	ctx := context.Background()
	soc := newReceiver(t, "")
	cfg := testConfig(t, `
deadlines: {notify: 72h, reminders: [24h, 48h], remind_before: [6h]}
targets:
  - {name: soc, type: webhook, url: "`+soc.srv.URL+`"}
routes:
  - {name: all, chain: [{targets: [soc]}]}
`)
	st := escalatetest.New()
	clk := newClock(t0)
	m := NewMetrics(prometheus.NewRegistry())
	mg := newTestManager(t, cfg, st, clk)
	disp := newTestDispatcher(t, cfg, st, clk, m, nil)
	if err := mg.Observe(ctx, []event.Incident{
		candidate("notified", event.SeverityCritical, 95, "a1"),
		candidate("late", event.SeverityCritical, 95, "a2"),
	}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at    time.Duration
		reads int // timeline reads of this tick
	}{
		{time.Hour, 0},
		{24 * time.Hour, 2}, // the first reminder of each
		{25 * time.Hour, 0},
		{30 * time.Hour, 0},
		{49 * time.Hour, 2}, // the second
		{51 * time.Hour, 0}, // "notified" is notified just before
		{66 * time.Hour, 2}, // 6h before: "notified" is found notified, "late" reminded
		{67 * time.Hour, 0},
		{72 * time.Hour, 1}, // "late" missed its deadline
		{100 * time.Hour, 0},
		{500 * time.Hour, 0},
	}
	for _, s := range steps {
		clk.Set(t0.Add(s.at))
		if s.at == 51*time.Hour {
			if _, err := mg.MarkCustomerNotified(ctx, "notified", "bob", "sent by mail"); err != nil {
				t.Fatal(err)
			}
		}
		before := st.TimelineReads()
		if err := disp.Tick(ctx, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if got := st.TimelineReads() - before; got != s.reads {
			t.Errorf("at +%s: %d timeline reads, want %d", s.at, got, s.reads)
		}
	}
	if got := value(m.reminders); got != 5 {
		t.Errorf("%v reminders, want 5 (3 for late, 2 for notified)", got)
	}
	if got := value(m.missed); got != 1 {
		t.Errorf("%v deadlines missed, want 1", got)
	}
	// Another dispatcher (another vigil process) knows nothing: it reads
	// once, finds everything done, and sends nothing again.
	other := newTestDispatcher(t, cfg, st, clk, m, nil)
	before := st.TimelineReads()
	if err := other.Tick(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := other.Tick(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if got := st.TimelineReads() - before; got != 2 {
		t.Errorf("a new dispatcher read %d timelines in two ticks, want 2 (one each, then none)", got)
	}
	if got := value(m.reminders) + value(m.missed); got != 6 {
		t.Errorf("a new dispatcher raised more reminders or deadlines: %v in all, want 6", got)
	}
}

func TestDeadlineCheckDue(t *testing.T) {
	for _, tc := range []struct {
		name      string
		last, now time.Time
		want      bool
	}{
		{"never checked", time.Time{}, t0, true},
		{"checked just now", t0, t0.Add(5 * time.Second), false},
		{"a minute later", t0, t0.Add(time.Minute), true},
		{"the clock went back", t0, t0.Add(-time.Second), true},
	} {
		if got := deadlineCheckDue(tc.last, tc.now); got != tc.want {
			t.Errorf("%s: deadlineCheckDue = %v, want %v", tc.name, got, tc.want)
		}
	}
}
