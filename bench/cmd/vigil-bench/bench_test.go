package main

import (
	"testing"
	"time"

	"github.com/vigil-soc/vigil/bench/harness"
)

func TestThroughputStart(t *testing.T) {
	tests := []struct {
		name   string
		now    time.Time
		events int
	}{
		{"small run just after midnight", time.Date(2026, 11, 23, 0, 0, 30, 0, time.UTC), 1000},
		{"full run", time.Date(2026, 11, 23, 4, 12, 7, 123, time.UTC), 300000},
		{"run spanning more than a day of event time", time.Date(2026, 11, 23, 23, 59, 59, 0, time.UTC), 10_000_000},
		{"local clock", time.Date(2026, 11, 23, 1, 0, 0, 0, time.FixedZone("UTC+3", 3*3600)), 300000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := throughputStart(tt.now, tt.events)
			if !start.Equal(start.Truncate(24*time.Hour)) || start.Location() != time.UTC {
				t.Errorf("start %v is not a UTC midnight", start)
			}
			span := time.Duration(tt.events/100) * time.Second
			if end := start.Add(span); end.After(tt.now.Add(-24 * time.Hour)) {
				t.Errorf("records would reach %v, less than a day before %v", end, tt.now)
			}
			if age := tt.now.Sub(start.Add(span)); age >= 48*time.Hour {
				t.Errorf("records end %v before now, more than two days", age)
			}
		})
	}
	// Two invocations on the same day put the records at the same times.
	a := throughputStart(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), 300000)
	b := throughputStart(time.Date(2026, 11, 23, 17, 30, 0, 0, time.UTC), 300000)
	if !a.Equal(b) {
		t.Errorf("same day, different starts: %v and %v", a, b)
	}
}

// The ceiling-ratio target is measured on the base configuration's run of
// the set, never on a variant run, whatever their order and speed.
func TestTargetsIgnoreVariantRuns(t *testing.T) {
	res := &harness.Result{
		Ceiling: &harness.Throughput{Name: "ceiling", EventsPerSecond: 100000},
		Vigil: []*harness.Throughput{
			{Name: "vigil-50", Policies: &harness.PolicySet{Detections: 50}, EventsPerSecond: 10000, Status: "PASS"},
			{Name: "vigil-50-doc", Variant: "storage.vendor_fields=doc", Policies: &harness.PolicySet{Detections: 50}, EventsPerSecond: 60000, Status: "PASS"},
		},
	}
	tp := targets(res, 50)[0]
	if tp.Got != "10%" || tp.Met {
		t.Errorf("ceiling target got %q (met %v), want 10%% from the base run", tp.Got, tp.Met)
	}
}
