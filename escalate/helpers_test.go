package escalate

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/escalate/escalatetest"
	"github.com/vigil-soc/vigil/event"
)

var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// clock is a settable fake clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func testConfig(t testing.TB, yml string) Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(yml))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

const baseConfig = `
deadlines:
  notify: 72h
  reminders: [24h, 48h]
  remind_before: [6h]
retry: {max_attempts: 3, initial_backoff: 1m, max_backoff: 10m, jitter: 0}
targets:
  - {name: soc, type: webhook, url: "http://127.0.0.1:1/soc"}
  - {name: oncall, type: webhook, url: "http://127.0.0.1:1/oncall"}
routes:
  - name: all
    chain:
      - targets: [soc]
      - targets: [oncall]
`

func newTestManager(t testing.TB, cfg Config, st Store, clk *clock) *Manager {
	t.Helper()
	mg, err := NewManager(context.Background(), cfg, st, Options{
		Now:        clk.Now,
		IsNotFound: func(err error) bool { return errors.Is(err, escalatetest.ErrNotFound) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return mg
}

func candidate(id string, sev event.Severity, conf int, alerts ...string) event.Incident {
	return event.Incident{
		ID: id, Tenant: "acme", Title: "Mailbox takeover of alice", Summary: "Suspicious sign-in followed by a forwarding rule.",
		Severity: sev, Confidence: conf, RiskScore: 70, Status: event.StatusCandidate,
		Rule: "mailbox_takeover", Kind: "sequence", Key: "alice@acme.example",
		FirstSeen: t0.Add(-30 * time.Minute), LastSeen: t0.Add(-10 * time.Minute),
		Entities:   []event.Entity{{Kind: event.EntityUser, Value: "alice@acme.example"}},
		Techniques: []string{"T1078"}, Tactics: []string{"initial-access"},
		AlertIDs: alerts,
	}
}
