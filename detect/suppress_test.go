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
			if _, ok := s.add(finding(0), "user:bob"); !ok {
				t.Fatal("first finding suppressed")
			}
			for i := 1; i <= 2; i++ {
				if _, ok := s.add(finding(time.Duration(i)*time.Minute), "user:bob"); ok {
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
			if left := s.flush(t0.Add(10 * time.Minute)); len(left) != 0 || len(s.open) != 0 {
				t.Fatalf("after the window: %d emitted, %d open", len(left), len(s.open))
			}
		})
	}
}
