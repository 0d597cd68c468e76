package storage

import (
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest/parse"
)

// generatedEvents parses n generated records of every source, as the
// pipeline hands them to WriteEvents.
func generatedEvents(tb testing.TB, n int) []event.Event {
	tb.Helper()
	reg := parse.NewRegistry()
	var evs []event.Event
	for _, r := range gen.New(gen.Config{Seed: 1, Noise: true}).Generate(n) {
		out, err := reg.Parse(r.Source, parse.Record{Value: r.Value, Tenant: r.Tenant, Topic: r.Topic})
		if err != nil {
			tb.Fatalf("parse %s record: %v", r.Source, err)
		}
		evs = append(evs, out...)
	}
	return evs
}

// BenchmarkEncodeEvents measures the caller-side part of WriteEvents (events
// to column slices) and the client-side append of the fields column, the
// one column clickhouse-go converts row by row, on generated telemetry,
// without a server.
func BenchmarkEncodeEvents(b *testing.B) {
	evs := generatedEvents(b, 1000)
	fieldsCol, err := column.Type("Map(LowCardinality(String), String)").Column("fields", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c, err := encodeEvents(evs, eventEncoding{vendorMap: true})
		if err != nil {
			b.Fatal(err)
		}
		fieldsCol.Reset()
		for i, name := range c.names {
			if name == "fields" {
				if _, err := fieldsCol.Append(c.cols[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "rows/s")
}
