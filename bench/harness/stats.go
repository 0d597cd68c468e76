package harness

import (
	"math"
	"slices"
	"time"
)

// Latency summarises a set of latency samples. Values are milliseconds.
type Latency struct {
	Samples int     `json:"samples"`
	P50Ms   float64 `json:"p50_ms"`
	P90Ms   float64 `json:"p90_ms"`
	P99Ms   float64 `json:"p99_ms"`
	MaxMs   float64 `json:"max_ms"`
	MinMs   float64 `json:"min_ms"`
	MeanMs  float64 `json:"mean_ms"`
}

// Percentile returns the q-quantile (0 ≤ q ≤ 1) of sorted by the
// nearest-rank method: the smallest sample such that at least q of all
// samples are less than or equal to it. It returns NaN for no samples.
// Nearest rank never interpolates, so a reported p99 is a latency that was
// actually observed.
func Percentile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	if q <= 0 {
		return sorted[0]
	}
	if q >= 1 {
		return sorted[n-1]
	}
	rank := int(math.Ceil(q * float64(n)))
	return sorted[max(rank, 1)-1]
}

// Summarize sorts a copy of samples and returns their percentiles. Zero
// samples give a zero Latency with Samples 0.
func Summarize(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	ms := make([]float64, len(samples))
	var sum float64
	for i, d := range samples {
		ms[i] = float64(d) / float64(time.Millisecond)
		sum += ms[i]
	}
	slices.Sort(ms)
	return Latency{
		Samples: len(ms),
		P50Ms:   round3(Percentile(ms, 0.50)),
		P90Ms:   round3(Percentile(ms, 0.90)),
		P99Ms:   round3(Percentile(ms, 0.99)),
		MaxMs:   round3(ms[len(ms)-1]),
		MinMs:   round3(ms[0]),
		MeanMs:  round3(sum / float64(len(ms))),
	}
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
