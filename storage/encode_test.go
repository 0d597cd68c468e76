package storage

import (
	"testing"
	"time"
)

// BenchmarkEncodeEvents measures the conversion of events to columns (the
// caller-side part of WriteEvents), without a server.
func BenchmarkEncodeEvents(b *testing.B) {
	evs := sampleEvents(1000, time.Now())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := encodeEvents(evs, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "rows/s")
}
