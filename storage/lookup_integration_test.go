package storage

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// manyIDs returns n ids shaped like real ones, with want spread among them.
func manyIDs(prefix string, n int, want ...string) []string {
	ids := make([]string, 0, n+len(want))
	for i := range n {
		ids = append(ids, fmt.Sprintf("%s-%040d", prefix, i))
		if len(want) > 0 && i%(n/len(want)+1) == 0 {
			ids = append(ids, want[0])
			want = want[1:]
		}
	}
	return append(ids, want...)
}

// Lookups by id take lists longer than one statement may carry (a
// replayed spray incident cites thousands of alerts and events): they
// return every match, in the documented order.
func TestLookupsByManyIDs(t *testing.T) {
	s, _, _ := testStore(t)
	ctx := ctxT(t)
	at := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Hour)
	evs := sampleEvents(3, at)
	if err := s.WriteEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	var alerts []event.Alert
	var incs []event.Incident
	for i := range 3 {
		alerts = append(alerts, event.Alert{
			ID: fmt.Sprintf("al-%d", i), Tenant: "acme", DetectionID: "d", Title: "t", Severity: event.SeverityHigh,
			Timestamp: at.Add(time.Duration(3-i) * time.Minute), LastSeen: at.Add(time.Hour), Count: 1, DetectedAt: at,
			Signal: i == 1,
		})
		incs = append(incs, event.Incident{
			ID: fmt.Sprintf("inc-%d", i), Tenant: "acme", Title: "t", Severity: event.SeverityHigh,
			Status: event.StatusCandidate, FirstSeen: at, LastSeen: at, CreatedAt: at, UpdatedAt: at, Version: 1,
		})
	}
	if err := s.WriteAlerts(ctx, alerts); err != nil {
		t.Fatal(err)
	}
	newer := incs[2]
	newer.Version, newer.Status = 2, event.StatusConfirmed
	if err := s.WriteIncidents(ctx, append(incs, newer)); err != nil {
		t.Fatal(err)
	}
	const n = 20000 // about 1 MB of ids, four times ClickHouse's default max_query_size

	got, err := s.Alerts(ctx, manyIDs("al", n, "al-0", "al-1", "al-2"))
	if err != nil {
		t.Fatalf("Alerts: %v", err)
	}
	if ids := alertIDs(got); !slices.Equal(ids, []string{"al-2", "al-1", "al-0"}) {
		t.Errorf("Alerts = %v, want [al-2 al-1 al-0] (timestamp order)", ids)
	}
	got, err = s.VisibleAlerts(ctx, manyIDs("al", n, "al-0", "al-1", "al-2"))
	if err != nil {
		t.Fatalf("VisibleAlerts: %v", err)
	}
	if ids := alertIDs(got); !slices.Equal(ids, []string{"al-2", "al-0"}) {
		t.Errorf("VisibleAlerts = %v, want [al-2 al-0]", ids)
	}

	refolded := alerts[2]
	refolded.Count = 7
	if err := s.WriteAlerts(ctx, []event.Alert{refolded}); err != nil {
		t.Fatal(err)
	}
	counts, err := s.AlertCounts(ctx, manyIDs("al", n, "al-0", "al-1", "al-2"))
	if err != nil {
		t.Fatalf("AlertCounts: %v", err)
	}
	if want := map[string]int{"al-0": 1, "al-2": 7}; !maps.Equal(counts, want) {
		t.Errorf("AlertCounts = %v, want %v (the signal al-1 left out, al-2 at its refolded count)", counts, want)
	}

	gotEvs, err := s.Events(ctx, manyIDs("evt", n, evs[2].Event.ID, evs[0].Event.ID))
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if len(gotEvs) != 2 || gotEvs[0].Event.ID != evs[0].Event.ID || gotEvs[1].Event.ID != evs[2].Event.ID {
		t.Errorf("Events returned %d events, want %s then %s", len(gotEvs), evs[0].Event.ID, evs[2].Event.ID)
	}

	gotIncs, err := s.Incidents(ctx, manyIDs("inc", n, "inc-0", "inc-2"))
	if err != nil {
		t.Fatalf("Incidents: %v", err)
	}
	if len(gotIncs) != 2 {
		t.Fatalf("Incidents returned %d, want inc-0 and inc-2", len(gotIncs))
	}
	if g := gotIncs["inc-2"]; g.Version != 2 || g.Status != event.StatusConfirmed {
		t.Errorf("Incidents[inc-2] = version %d %s, want the latest (2, confirmed)", g.Version, g.Status)
	}
	if g := gotIncs["inc-0"]; g.Version != 1 {
		t.Errorf("Incidents[inc-0] = version %d, want 1", g.Version)
	}
	if none, err := s.Incidents(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("Incidents(nil) = %v, %v; want none", none, err)
	}
}

func alertIDs(as []event.Alert) []string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}
