package detect

import (
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// An alert folded into is emitted once with its running count, by
// whichever of takePending and flush comes first.
func TestSuppressorEmitsFoldedOnce(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 10, 1, 0, 0, time.UTC)
	finding := func(at time.Duration) event.Alert {
		return event.Alert{DetectionID: "d", Tenant: "acme", Timestamp: t0.Add(at), Count: 1}
	}
	tests := []struct {
		name  string
		first func(*suppressor) []event.Alert
		then  func(*suppressor) []event.Alert
	}{
		{"flush first", func(s *suppressor) []event.Alert { return s.flush(t0) }, (*suppressor).takePending},
		{"take first", (*suppressor).takePending, func(s *suppressor) []event.Alert { return s.flush(t0) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSuppressor(10 * time.Minute)
			if _, ok := s.add(finding(0), "user:bob", stream{}, t0); !ok {
				t.Fatal("first finding suppressed")
			}
			for i := 1; i <= 2; i++ {
				if _, ok := s.add(finding(time.Duration(i)*time.Minute), "user:bob", stream{}, t0); ok {
					t.Fatalf("finding %d not folded", i)
				}
			}
			got := tc.first(s)
			if len(got) != 1 || got[0].Count != 3 || !got[0].LastSeen.Equal(t0.Add(2*time.Minute)) {
				t.Fatalf("first emission: %+v", got)
			}
			if again := tc.then(s); len(again) != 0 {
				t.Fatalf("emitted twice: %+v", again)
			}
			if left := s.flush(t0.Add(30 * time.Minute)); len(left) != 0 || len(s.open) != 0 {
				t.Fatalf("idle past the window: %d emitted, %d open", len(left), len(s.open))
			}
		})
	}
}

// TestSuppressorBacklog: findings days older than the clock (a backlog
// caught up after an outage, a replay) fold into one alert across flushes,
// whose running count and first finding survive until the event time of
// the partition that fed it is a whole window past the alert's window,
// however far ahead other partitions are.
func TestSuppressorBacklog(t *testing.T) {
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	old := time.Date(2026, 11, 21, 0, 16, 55, 0, time.UTC) // window 00:10-00:20
	zeek0 := stream{topic: "logs.zeek", partition: 0}
	win1 := stream{topic: "logs.windows", partition: 1}
	at := func(d time.Duration, src stream) event.Event {
		return event.Event{Timestamp: old.Add(d), Origin: event.Origin{Topic: src.topic, Partition: src.partition}}
	}
	finding := func(d time.Duration) event.Alert {
		return event.Alert{DetectionID: "d", Tenant: "acme", Timestamp: old.Add(d), Count: 1}
	}
	s := newSuppressor(10 * time.Minute)
	s.observe([]event.Event{at(0, zeek0)}, clock)
	first, ok := s.add(finding(0), "ip:10.0.0.5", zeek0, clock)
	if !ok {
		t.Fatal("first finding suppressed")
	}
	var counts []int
	for i := 1; i <= 30; i++ {
		clock = clock.Add(time.Second)
		d := time.Duration(i) * 5 * time.Second
		// The other partition is read faster: hours ahead in event time.
		s.observe([]event.Event{at(d, zeek0), at(d+time.Duration(i)*time.Hour, win1)}, clock)
		if a, ok := s.add(finding(d), "ip:10.0.0.5", zeek0, clock); ok {
			t.Fatalf("finding %d of the backlog opened a new alert %s at %v", i, a.ID, a.Timestamp)
		}
		for _, a := range s.flush(clock) {
			if a.ID != first.ID || !a.Timestamp.Equal(first.Timestamp) {
				t.Fatalf("emission %+v, want the running alert %s from %v", a, first.ID, first.Timestamp)
			}
			counts = append(counts, a.Count)
		}
	}
	if len(counts) != 30 || counts[0] != 2 || counts[29] != 31 {
		t.Fatalf("running counts %v, want 2 to 31", counts)
	}
	// The alert's partition one window past the alert's window end leaves
	// it open (a finding may still trail) ...
	s.observe([]event.Event{at(13*time.Minute, zeek0)}, clock)
	s.flush(clock)
	if len(s.open) != 1 {
		t.Fatalf("%d windows open, want the alert's", len(s.open))
	}
	// ... two windows past it, the alert's window is forgotten.
	s.observe([]event.Event{at(24*time.Minute, zeek0)}, clock)
	s.flush(clock)
	if len(s.open) != 0 {
		t.Fatal("the alert's partition is a window past the alert's window; it is still open")
	}
}

// TestSuppressorForgets covers the other ways out: a window no finding
// reached for two windows of clock time, and a source whose clock runs
// ahead, whose timestamps must not end its own live windows.
func TestSuppressorForgets(t *testing.T) {
	clock := time.Date(2026, 11, 23, 9, 3, 0, 0, time.UTC)
	p0 := stream{topic: "logs.okta"}
	s := newSuppressor(10 * time.Minute)
	live := event.Alert{DetectionID: "d", Tenant: "acme", Timestamp: clock.Add(-time.Minute), Count: 1}
	okta := event.Origin{Topic: "logs.okta"}
	s.observe([]event.Event{{Timestamp: live.Timestamp, Origin: okta}, {Timestamp: clock.AddDate(1, 0, 0), Origin: okta}}, clock)
	s.add(live, "user:bob", p0, clock)
	s.flush(clock.Add(5 * time.Minute))
	if len(s.open) != 1 {
		t.Fatal("a timestamp a year ahead ended the live window")
	}
	s.flush(clock.Add(15 * time.Minute))
	if len(s.open) != 1 {
		t.Fatal("forgotten before two windows of idle clock time")
	}
	s.flush(clock.Add(30 * time.Minute))
	if len(s.open) != 0 {
		t.Fatalf("after two idle windows: %d open", len(s.open))
	}
}

// TestSuppressorBound: beyond maxOpen open alerts, flush forgets those
// whose windows end first, after emitting what they folded.
func TestSuppressorBound(t *testing.T) {
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := newSuppressor(10 * time.Minute)
	s.maxOpen = 4
	for i := range 6 {
		a := event.Alert{DetectionID: "d", Tenant: "acme", Timestamp: clock.Add(-time.Duration(6-i) * 10 * time.Minute), Count: 1}
		s.add(a, "user:bob", stream{}, clock)
		s.add(a, "user:bob", stream{}, clock) // folds: pending
	}
	out := s.flush(clock)
	if len(out) != 6 {
		t.Fatalf("emitted %d folded alerts, want all 6 before forgetting any", len(out))
	}
	open, evicted := s.stats()
	if open != 3 || evicted != 3 {
		t.Fatalf("open %d, evicted %d; want 3 (nine tenths of 4) and 3", open, evicted)
	}
	for _, o := range s.open {
		if o.end.Before(clock.Add(-20 * time.Minute)) {
			t.Errorf("kept the window ending %v; the newest three end after %v", o.end, clock.Add(-20*time.Minute))
		}
	}
}
