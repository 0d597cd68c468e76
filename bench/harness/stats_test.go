package harness

import (
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(i + 1) // 1..100
	}
	tests := []struct {
		name   string
		sorted []float64
		q      float64
		want   float64
	}{
		{"one sample p50", []float64{7}, 0.5, 7},
		{"one sample p99", []float64{7}, 0.99, 7},
		{"two samples p50 is the lower", []float64{1, 2}, 0.5, 1},
		{"two samples p51 is the upper", []float64{1, 2}, 0.51, 2},
		{"1..100 p50", hundred, 0.5, 50},
		{"1..100 p90", hundred, 0.9, 90},
		{"1..100 p99", hundred, 0.99, 99},
		{"1..100 p999 rounds up to max", hundred, 0.999, 100},
		{"q 0 is min", hundred, 0, 1},
		{"q 1 is max", hundred, 1, 100},
		{"q above 1 is max", hundred, 1.5, 100},
		{"ten samples p99 is max", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.99, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.sorted, tc.q); got != tc.want {
				t.Errorf("Percentile(q=%v) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
	if !math.IsNaN(Percentile(nil, 0.5)) {
		t.Error("Percentile of no samples is not NaN")
	}
}

func TestSummarize(t *testing.T) {
	var samples []time.Duration
	for i := 1000; i >= 1; i-- { // unsorted on purpose
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	got := Summarize(samples)
	want := Latency{Samples: 1000, P50Ms: 500, P90Ms: 900, P99Ms: 990, MaxMs: 1000, MinMs: 1, MeanMs: 500.5}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if samples[0] != 1000*time.Millisecond {
		t.Error("Summarize reordered its input")
	}
	if z := Summarize(nil); z != (Latency{}) {
		t.Errorf("Summarize(nil) = %+v, want zero", z)
	}
	sub := Summarize([]time.Duration{1500 * time.Microsecond})
	if sub.P50Ms != 1.5 {
		t.Errorf("sub-millisecond precision lost: p50 = %v", sub.P50Ms)
	}
}
