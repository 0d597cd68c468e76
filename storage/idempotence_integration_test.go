package storage

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// count runs a single-number query.
func count(t *testing.T, s *Store, q string) uint64 {
	t.Helper()
	var n uint64
	if err := s.conn.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestIdempotentWrites proves both layers of idempotence on the events
// table with merges stopped (so nothing is hidden by a background merge):
// a retried batch is dropped by the insert token, and a replay cut into
// different batches is collapsed by the ReplacingMergeTree key.
func TestIdempotentWrites(t *testing.T) {
	s, _, db := testStore(t, func(c *Config) { c.BatchRows = 1000 })
	ctx := ctxT(t)
	events := "`" + db + "`.events"
	if err := s.conn.Exec(ctx, "SYSTEM STOP MERGES "+events); err != nil {
		t.Fatal(err)
	}
	// 500 events an hour apart: the batch spans 21 daily partitions.
	evs := sampleEvents(500, time.Now().UTC().Add(-500*time.Hour).Truncate(time.Hour))
	for i := range evs {
		evs[i].Timestamp = evs[0].Timestamp.Add(time.Duration(i) * time.Hour)
	}

	// 1. The same batch twice (a retry after a lost acknowledgement): the
	// second INSERT carries the same token and stores nothing.
	if err := s.WriteEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	// And the same rows through insertOnce directly, as the retry loop sends them.
	c, err := encodeEvents(evs, eventEncoding{original: true, vendorMap: true})
	if err != nil {
		t.Fatal(err)
	}
	reqs := []*request{{c: c}}
	if err := s.events.insertOnce(reqs, dedupToken("events", reqs)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count() FROM "+events); n != 500 {
		t.Fatalf("after retries: %d rows without FINAL, want 500 (insert token did not deduplicate)", n)
	}

	// 2. A replay of the same partition cut into different batches by
	// concurrent callers: new tokens, so rows land again, and the engine
	// key collapses them.
	var wg sync.WaitGroup
	for _, r := range [][2]int{{0, 137}, {137, 301}, {301, 420}, {420, 500}, {250, 333}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.WriteEvents(ctx, evs[r[0]:r[1]]); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	raw := count(t, s, "SELECT count() FROM "+events)
	if raw <= 500 {
		t.Fatalf("replay stored %d rows; the replay test needs duplicates before merging", raw)
	}
	if n := count(t, s, "SELECT count() FROM "+events+" FINAL"); n != 500 {
		t.Errorf("count() FINAL = %d, want 500", n)
	}
	if n := count(t, s, "SELECT uniqExact(event_id) FROM "+events); n != 500 {
		t.Errorf("uniqExact(event_id) = %d, want 500", n)
	}
	got, err := s.Events(ctx, []string{evs[0].Event.ID, evs[499].Event.ID})
	if err != nil || len(got) != 2 {
		t.Errorf("Events over duplicates = %d, %v; want 2", len(got), err)
	}
	// Once merged, the duplicates are gone for plain queries too.
	if err := s.conn.Exec(ctx, "SYSTEM START MERGES "+events); err != nil {
		t.Fatal(err)
	}
	if err := s.conn.Exec(ctx, "OPTIMIZE TABLE "+events+" FINAL"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count() FROM "+events); n != 500 {
		t.Errorf("after OPTIMIZE FINAL: count() = %d, want 500", n)
	}

	// 3. Versioned tables: a retried incident version is dropped, a new
	// version is not.
	inc := event.Incident{ID: "inc-x", Tenant: "acme", Status: event.StatusCandidate, Version: 1}
	for range 2 {
		if err := s.WriteIncidents(ctx, []event.Incident{inc}); err != nil {
			t.Fatal(err)
		}
	}
	inc.Version, inc.Status = 2, event.StatusTriage
	if err := s.WriteIncidents(ctx, []event.Incident{inc}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count() FROM `"+db+"`.incidents"); n != 2 {
		t.Errorf("incident rows = %d, want 2 (v1 once, v2 once)", n)
	}
	got2, err := s.Incident(ctx, "inc-x")
	if err != nil || got2.Status != event.StatusTriage {
		t.Errorf("Incident = %v, %v; want status triage", got2.Status, err)
	}
}

// TestGroupCommit checks that concurrent callers share INSERTs and that
// every caller returns only after its rows are readable.
func TestGroupCommit(t *testing.T) {
	s, _, db := testStore(t, func(c *Config) { c.BatchRows = 400; c.BatchWait = 200 * time.Millisecond })
	ctx := ctxT(t)
	start := time.Now().UTC().Add(-time.Hour)
	var wg sync.WaitGroup
	for w := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evs := make([]event.Event, 50)
			for i := range evs {
				evs[i] = sampleEvent(w*1000+i, start.Add(time.Duration(i)*time.Millisecond))
			}
			if err := s.WriteEvents(ctx, evs); err != nil {
				t.Error(err)
				return
			}
			res, err := s.Events(ctx, []string{evs[0].Event.ID, evs[49].Event.ID})
			if err != nil || len(res) != 2 {
				t.Errorf("caller %d: rows not readable after WriteEvents returned: %d %v", w, len(res), err)
			}
		}()
	}
	wg.Wait()
	if n := count(t, s, "SELECT count() FROM `"+db+"`.events FINAL"); n != 1000 {
		t.Errorf("rows = %d, want 1000", n)
	}
	var inserts uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM system.parts WHERE database = ? AND table = 'events' AND level = 0", db).Scan(&inserts); err == nil {
		t.Logf("1000 rows from 20 callers stored in %d level-0 parts", inserts)
		if inserts >= 20 {
			t.Errorf("%d parts for 20 callers: calls were not grouped", inserts)
		}
	}
}
