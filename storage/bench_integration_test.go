package storage

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigil-soc/vigil/event"
)

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchEvents(n int) ([]event.Event, int64) {
	start := time.Now().UTC().Add(-time.Hour)
	evs := make([]event.Event, n)
	var bytes int64
	for i := range evs {
		evs[i] = sampleEvent(i, start.Add(time.Duration(i)*time.Millisecond))
		evs[i].Event.ID = fmt.Sprintf("bench-%d-%d", start.UnixNano(), i)
	}
	c, _ := encodeEvents(evs[:min(n, 1000)], eventEncoding{vendorMap: true})
	if c != nil && c.n > 0 {
		bytes = c.bytes / int64(c.n)
	}
	return evs, bytes
}

func reportRates(b *testing.B, rows int, wall, cpu time.Duration) {
	b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/client-cpu-s")
}

// BenchmarkWriteEvents writes realistic events through WriteEvents from 4
// concurrent callers (as 4 ingest partitions would), 5,000 events a call, so
// that batches fill to batch_rows (20,000) like the baseline's.
// "client-cpu-s" is the CPU time of this process (conversion, JSON, column
// encoding, LZ4) - the server runs on the same machine and is not counted.
func BenchmarkWriteEvents(b *testing.B) {
	benchWriteEvents(b, 4, 5000, func(c *Config) { c.BatchRows = 20000; c.BatchWait = 200 * time.Millisecond })
}

// BenchmarkWriteEventsPipeline writes as the pipeline does: ingest hands
// batches of 2,000 events from 3 partitions x 7 topics at once, each caller
// waiting for its rows, and the store runs with its default batch_rows and
// batch_wait; the group commit has to coalesce the calls into large INSERTs.
func BenchmarkWriteEventsPipeline(b *testing.B) {
	benchWriteEvents(b, 21, 2000, func(*Config) {})
}

func benchWriteEvents(b *testing.B, callers, perCall int, cfg func(*Config)) {
	s, _, _ := testStore(b, cfg, func(c *Config) { c.StoreOriginal = false })
	evs, rowBytes := benchEvents(b.N)
	ctx := context.Background()
	b.SetBytes(rowBytes)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	var wg sync.WaitGroup
	for w := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := w * perCall; start < len(evs); start += callers * perCall {
				if err := s.WriteEvents(ctx, evs[start:min(start+perCall, len(evs))]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	reportRates(b, b.N, time.Since(t0), cpuTime()-cpu0)
	var m dto.Metric
	if err := s.m.batches.WithLabelValues("events").Write(&m); err == nil {
		b.ReportMetric(m.GetCounter().GetValue(), "inserts")
	}
}

// BenchmarkPlainBatchInsert is the baseline: the same rows, the same
// conversion to columns, sent with plain clickhouse-go PrepareBatch/Send in
// batches of 20,000 from one goroutine, without the batcher, token or retries.
func BenchmarkPlainBatchInsert(b *testing.B) {
	s, _, _ := testStore(b)
	evs, rowBytes := benchEvents(b.N)
	ctx := clickhouse.Context(context.Background(), clickhouse.WithSettings(clickhouse.Settings{"async_insert": 0}))
	b.SetBytes(rowBytes)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	for start := 0; start < len(evs); start += 20000 {
		c, err := encodeEvents(evs[start:min(start+20000, len(evs))], eventEncoding{vendorMap: true})
		if err != nil {
			b.Fatal(err)
		}
		batch, err := s.conn.PrepareBatch(ctx, s.events.insert)
		if err != nil {
			b.Fatal(err)
		}
		cols := batch.Columns()
		for i, name := range c.names {
			if cols[i].Name() != name {
				b.Fatalf("column %d is %s, want %s", i, cols[i].Name(), name)
			}
			if err := batch.Column(i).Append(c.cols[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := batch.Send(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportRates(b, b.N, time.Since(t0), cpuTime()-cpu0)
}

// BenchmarkPlainBatchInsertMinimal is the ceiling reference: the same events'
// tenant, timestamp, id and JSON document (encoded before the timer starts)
// sent with plain clickhouse-go in batches of 20,000 into a four-column
// MergeTree without skip indexes, partitions or a replacing engine. The gap
// to BenchmarkPlainBatchInsert is what the typed columns, the engine and
// the conversion cost; the gap to BenchmarkWriteEvents adds the batcher.
func BenchmarkPlainBatchInsertMinimal(b *testing.B) {
	s, _, db := testStore(b)
	ctx := context.Background()
	table := "`" + db + "`.events_minimal"
	if err := s.conn.Exec(ctx, "CREATE TABLE "+table+` (
		tenant LowCardinality(String), timestamp DateTime64(3, 'UTC'), event_id String, doc String)
		ENGINE = MergeTree ORDER BY (tenant, timestamp, event_id)`); err != nil {
		b.Fatal(err)
	}
	evs, rowBytes := benchEvents(b.N)
	tenants, stamps, ids, docs := make([]string, len(evs)), make([]time.Time, len(evs)), make([]string, len(evs)), make([]string, len(evs))
	for i := range evs {
		doc, err := evs[i].MarshalJSON()
		if err != nil {
			b.Fatal(err)
		}
		tenants[i], stamps[i], ids[i], docs[i] = evs[i].Organization.ID, evs[i].Timestamp, evs[i].Event.ID, string(doc)
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"async_insert": 0}))
	b.SetBytes(rowBytes)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	for start := 0; start < len(evs); start += 20000 {
		end := min(start+20000, len(evs))
		batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+table+" (tenant, timestamp, event_id, doc)")
		if err != nil {
			b.Fatal(err)
		}
		for i, col := range []any{tenants[start:end], stamps[start:end], ids[start:end], docs[start:end]} {
			if err := batch.Column(i).Append(col); err != nil {
				b.Fatal(err)
			}
		}
		if err := batch.Send(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportRates(b, b.N, time.Since(t0), cpuTime()-cpu0)
}
