package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/escalate"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/testenv"
	"github.com/vigil-soc/vigil/storage"
)

// chReader adapts storage.Store to Reader (what internal/app does).
type chReader struct{ *storage.Store }

func (c chReader) ListIncidents(ctx context.Context, f IncidentFilter) ([]event.Incident, error) {
	return c.Store.ListIncidents(ctx, storage.IncidentFilter{Tenant: f.Tenant, Statuses: f.Statuses, MinSeverity: f.MinSeverity, Limit: f.Limit})
}

// crashStore makes storage writes fail like a killed process would.
type crashStore struct {
	*storage.Store
	failConfirm bool // WriteIncidents of a confirmed incident
	failRecord  bool // WriteDeliveries recording an attempt
}

func (c *crashStore) WriteIncidents(ctx context.Context, incs []event.Incident) error {
	if c.failConfirm && slices.ContainsFunc(incs, func(inc event.Incident) bool { return inc.Status == event.StatusConfirmed }) {
		return errors.New("process killed")
	}
	return c.Store.WriteIncidents(ctx, incs)
}

func (c *crashStore) WriteDeliveries(ctx context.Context, ds []event.Delivery) error {
	if c.failRecord && len(ds) > 0 && ds[0].Attempts > 0 {
		c.failRecord = false
		return errors.New("process killed")
	}
	return c.Store.WriteDeliveries(ctx, ds)
}

// TestCrashRestartOnClickHouse: a crash between the outbox write and the
// confirmed status, then a crash between sending and recording, on real
// ClickHouse storage. Each receiver sees exactly one idempotency key.
func TestCrashRestartOnClickHouse(t *testing.T) {
	env := testenv.ClickHouse(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := storage.Open(ctx, storage.Config{Addr: []string{env.Addr}, Database: env.Database(t), Migrate: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	var mu sync.Mutex
	keys := map[string]map[string]int{}
	total := map[string]int{}
	newRecv := func(name string) string {
		keys[name] = map[string]int{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if !escalate.VerifySignature([]byte("k"), body, r.Header.Get(escalate.HeaderSignature)) {
				http.Error(w, "bad signature", 401)
				return
			}
			mu.Lock()
			keys[name][r.Header.Get(escalate.HeaderIdempotencyKey)]++
			total[name]++
			mu.Unlock()
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	cfg, err := escalate.ParseConfig([]byte(`
targets:
  - {name: soc, type: webhook, url: "` + newRecv("soc") + `", secret_env: S}
  - {name: oncall, type: webhook, url: "` + newRecv("oncall") + `", secret_env: S}
routes: [{name: all, chain: [{targets: [soc, oncall]}]}]
`))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return now }
	isNF := func(err error) bool { return errors.Is(err, storage.ErrNotFound) }
	declared := func(ctx context.Context) ([]event.Incident, error) {
		return st.ListIncidents(ctx, storage.IncidentFilter{Statuses: []event.Status{event.StatusConfirmed}})
	}
	opts := escalate.DispatcherOptions{Now: clock, Getenv: func(string) string { return "k" }}
	c := event.Incident{ID: "inc-ch-1", Tenant: "acme", Title: "Ransomware precursor", Severity: event.SeverityCritical,
		Confidence: 95, Status: event.StatusCandidate, Rule: "r", Kind: "sequence", Key: "host-1",
		FirstSeen: now.Add(-time.Hour), LastSeen: now.Add(-time.Minute), AlertIDs: []string{"a1"}}

	// Process 1 dies after writing the outbox.
	cs := &crashStore{Store: st, failConfirm: true}
	mg1, err := escalate.NewManager(ctx, cfg, cs, escalate.Options{Now: clock, IsNotFound: isNF})
	if err != nil {
		t.Fatal(err)
	}
	if err := mg1.Observe(ctx, []event.Incident{c}); err == nil {
		t.Fatal("crash not reported")
	}
	// Process 2: correlation replays; the incident is declared again with
	// the same keys; its dispatcher sends and dies before recording.
	now = now.Add(time.Minute)
	cs2 := &crashStore{Store: st, failRecord: true}
	mg2, err := escalate.NewManager(ctx, cfg, cs2, escalate.Options{Now: clock, IsNotFound: isNF})
	if err != nil {
		t.Fatal(err)
	}
	if err := mg2.Observe(ctx, []event.Incident{c}); err != nil {
		t.Fatal(err)
	}
	d2, err := escalate.NewDispatcher(cfg, cs2, declared, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d2.Dispatch(ctx, now); err == nil {
		t.Fatal("crash while recording not reported")
	}
	// Process 3 finishes the job.
	now = now.Add(time.Minute)
	d3, err := escalate.NewDispatcher(cfg, st, declared, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d3.Dispatch(ctx, now); err != nil {
		t.Fatal(err)
	}
	if n, err := d3.Dispatch(ctx, now.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("still pending: %d, %v", n, err)
	}
	for _, name := range []string{"soc", "oncall"} {
		if len(keys[name]) != 1 || total[name] != 2 {
			t.Errorf("%s: %d distinct keys (want 1), %d requests (want 2: one repeat dropped by key)", name, len(keys[name]), total[name])
		}
	}

	// The API over the same storage: the incident is confirmed, with its
	// escalation in the timeline; an analyst contains it.
	tokens, _ := ParseTokensEnv("ana:analyst:t")
	srv := httptest.NewServer(New(Config{Tokens: tokens}, Deps{Reader: chReader{st}, Lifecycle: mg2, IsNotFound: isNF}, nil, nil))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/incidents/inc-ch-1/transition", strings.NewReader(`{"to":"contained","reason":"host isolated"}`))
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("transition: %d %s", resp.StatusCode, b)
	}
	inc, err := st.Incident(ctx, "inc-ch-1")
	if err != nil || inc.Status != event.StatusContained || inc.DeclaredAt.IsZero() {
		t.Fatalf("stored incident: %+v, %v", inc, err)
	}
	tl, err := st.Timeline(ctx, "inc-ch-1")
	if err != nil {
		t.Fatal(err)
	}
	var delivered, byAna int
	for _, e := range tl {
		if e.Action == event.ActionDelivered {
			delivered++
		}
		if e.Actor == "ana" {
			byAna++
		}
	}
	if delivered != 2 || byAna != 1 {
		t.Fatalf("timeline: %d delivered entries (want 2), %d by ana (want 1): %+v", delivered, byAna, tl)
	}
}
