package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/bench/harness"
)

type bench struct {
	o       options
	log     *slog.Logger
	base    harness.BaseConfig
	brokers []string
	ch      harness.ClickHouse
	kafka   *harness.Kafka
	webhook *harness.Receiver
	runID   string
	libSize int // detections in the library
	// eventStart is the event time of the throughput runs' first record:
	// a UTC midnight, so that every invocation puts the same records at
	// the same time of day and in the same suppression and correlation
	// windows (they are aligned to the event time), and raises the same
	// alerts and incidents.
	eventStart time.Time
	workDir    string
	cleanups   []func()
	// alertsByRun holds the alert ids of each vigil run, by detection id,
	// for the cross-run check.
	alertsByRun map[string]map[string]map[string]bool
	// stackPIDs are the local stack's servers, whose CPU each run reports.
	stackPIDs map[string]int
}

func newBench(ctx context.Context, o options, log *slog.Logger) (*bench, error) {
	base, err := harness.LoadBaseConfig(o.config)
	if err != nil {
		return nil, err
	}
	brokers, ch := base.Endpoints()
	b := &bench{o: o, log: log, base: base, brokers: brokers, ch: ch, kafka: harness.NewKafka(brokers),
		runID: strconv.FormatInt(time.Now().Unix()%1e8, 36), alertsByRun: map[string]map[string]map[string]bool{}}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := b.kafka.Ping(pctx); err != nil {
		return nil, fmt.Errorf("kafka %v does not answer (start the stack: make stack-up): %w", brokers, err)
	}
	conn, err := ch.Open(pctx, "default")
	if err != nil {
		return nil, fmt.Errorf("clickhouse does not answer (start the stack: make stack-up): %w", err)
	}
	conn.Close()
	if b.workDir, err = os.MkdirTemp("", "vigil-bench-"); err != nil {
		return nil, err
	}
	lib, err := harness.LibraryDetections(o.policies)
	if err != nil || len(lib) == 0 {
		return nil, fmt.Errorf("no detection library in %s: %v", o.policies, err)
	}
	b.libSize = len(lib)
	b.eventStart = throughputStart(time.Now(), o.events)
	b.webhook = harness.NewReceiver()
	b.stackPIDs = harness.StackProcesses(o.stackRunDir)
	if len(b.stackPIDs) == 0 {
		log.Info("no local stack processes found; the CPU split by server is left out", "dir", o.stackRunDir)
	}
	return b, nil
}

// throughputStart returns the midnight (UTC) at least a day before the
// records generated from it would reach now; the generator spaces records
// about 10 ms apart in event time. A day or two old, the events are well
// inside the storage retention.
func throughputStart(now time.Time, events int) time.Time {
	span := time.Duration(events/100) * time.Second
	return now.UTC().Add(-span - 24*time.Hour).Truncate(24 * time.Hour)
}

func (b *bench) close() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
	b.webhook.Close()
	if !b.o.keep {
		os.RemoveAll(b.workDir)
	}
}

// all runs every stage. A stage that cannot run is recorded as a problem
// and fails the result; the others still run.
func (b *bench) all(ctx context.Context) *harness.Result {
	res := &harness.Result{Started: time.Now().UTC(), Host: harness.ReadHost(), Settings: map[string]any{
		"config": b.o.config, "events": b.o.events, "detections": b.o.detections, "seed": b.o.seed,
		"partitions": b.o.partitions, "vigil": b.o.vigil, "latency_seconds": b.o.latencySeconds,
		"latency_detections": b.o.latencySet, "latency_sweep": b.o.latencySweep, "latency_rate": b.o.latencyRate, "brokers": b.brokers, "clickhouse": b.ch.Addr,
	}}
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		b.log.Error("stage failed", "err", msg)
		res.Problems = append(res.Problems, msg)
	}
	if !b.o.skipCeiling {
		c, prod, err := b.ceiling(ctx)
		res.Ceiling, res.Produce = c, prod
		if err != nil {
			fail("ceiling: %v", err)
		}
	}
	// record adds a vigil run to the result, with its ratio to the ceiling.
	record := func(t *harness.Throughput) {
		res.Vigil = append(res.Vigil, t)
		if res.Ceiling != nil && res.Ceiling.EventsPerSecond > 0 {
			t.RatioToCeiling = round(t.EventsPerSecond/res.Ceiling.EventsPerSecond, 3)
		}
	}
	var reference *harness.Throughput
	for _, n := range b.o.detections {
		if ctx.Err() != nil {
			break
		}
		t, err := b.vigilThroughput(ctx, n, nil, res)
		if t != nil {
			record(t)
			if t.Policies != nil && (reference == nil || t.Policies.Library > reference.Policies.Library) {
				reference = t
			}
		}
		if err != nil {
			fail("vigil with %d detections: %v", n, err)
		}
	}
	if b.o.docVariant && b.base.Get(docVariant.setting) != docVariant.value && ctx.Err() == nil {
		t, err := b.vigilThroughput(ctx, b.o.latencySet, docVariant, res)
		record(t)
		if err != nil {
			fail("vigil with %d detections, %s: %v", b.o.latencySet, t.Variant, err)
		}
	}
	b.crossCheck(res.Vigil, reference)
	if !b.o.skipLatency && ctx.Err() == nil {
		var max *harness.Throughput
		for _, t := range res.Vigil {
			if t.Policies != nil && t.Policies.Detections == b.o.latencySet && t.EventsPerSecond > 0 && t.Variant == "" {
				max = t
			}
		}
		if r := b.o.latencyRate; r > 0 {
			// A fixed rate, for comparing changes: not the 50 % run the
			// target is about, so it is reported beside it, and it needs
			// no throughput run.
			l, err := b.latency(ctx, res, "latencyfixed", r)
			if l != nil {
				if max != nil {
					l.FractionOfMax = round(r/max.EventsPerSecond, 3)
				}
				res.LatencySweep = append(res.LatencySweep, l)
			}
			if err != nil {
				fail("latency at %.0f events/s: %v", r, err)
			}
		} else if max == nil {
			fail("latency: no successful throughput run with %d detections to take 50%% of", b.o.latencySet)
		} else {
			l, err := b.latency(ctx, res, "latency", max.EventsPerSecond/2)
			res.Latency = l
			if err != nil {
				fail("latency: %v", err)
			}
			for _, f := range b.o.latencySweep {
				if ctx.Err() != nil {
					break
				}
				l, err := b.latency(ctx, res, fmt.Sprintf("latency%03.0f", 1000*f), max.EventsPerSecond*f)
				if l != nil {
					l.FractionOfMax = f
					res.LatencySweep = append(res.LatencySweep, l)
				}
				if err != nil {
					fail("latency at %.0f%% of the maximum rate: %v", 100*f, err)
				}
			}
		}
	}
	res.Finished = time.Now().UTC()
	res.Targets = targets(res, b.o.latencySet)
	res.Status = "PASS"
	if len(res.Problems) > 0 || (res.Ceiling != nil && res.Ceiling.Status != "PASS") || (res.Latency != nil && res.Latency.Status != "PASS") {
		res.Status = "FAIL"
	}
	for _, t := range res.Vigil {
		if t.Status != "PASS" {
			res.Status = "FAIL"
		}
	}
	return res
}

func round(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

// topics creates the raw topics of one run, named prefix + the generator's
// topic, and their dead-letter topics (one partition).
func (b *bench) topics(ctx context.Context, prefix string) (raw map[string]string, dlq []string, err error) {
	raw = map[string]string{}
	var names []string
	for _, src := range gen.AllSources {
		raw[src] = prefix + gen.Topics[src]
		names = append(names, raw[src])
		dlq = append(dlq, raw[src]+".dlq")
	}
	slices.Sort(names)
	if err := b.kafka.CreateTopics(ctx, b.o.partitions, names...); err != nil {
		return nil, nil, err
	}
	if err := b.kafka.CreateTopics(ctx, 1, dlq...); err != nil {
		return nil, nil, err
	}
	all := append(slices.Clone(names), dlq...)
	b.cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := b.kafka.DeleteTopics(ctx, all...); err != nil {
			b.log.Warn("delete topics", "err", err)
		}
	})
	return raw, dlq, nil
}

func (b *bench) cleanup(f func()) {
	if b.o.keep {
		return
	}
	b.cleanups = append(b.cleanups, f)
}

func (b *bench) database(ctx context.Context, name string) (driver.Conn, error) {
	if err := b.ch.CreateDatabase(ctx, name); err != nil {
		return nil, err
	}
	b.cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := b.ch.DropDatabase(ctx, name); err != nil {
			b.log.Warn("drop database", "err", err)
		}
	})
	return b.ch.Open(ctx, name)
}

// generator returns the throughput runs' event set: the same for every
// run. Event time (100 records per second, the generator's default density)
// ends near the bench's start, as a live stream's would: parsers of
// year-less syslog timestamps and time-partitioned tables expect that.
func (b *bench) generator() *gen.Generator {
	return gen.New(gen.Config{Seed: b.o.seed, Noise: true, Start: b.eventStart})
}

// produce writes the throughput event set to the run's topics before any
// consumer starts.
func (b *bench) produce(ctx context.Context, raw map[string]string) (*harness.ProduceStats, *gen.Generator, error) {
	g := b.generator()
	p := &harness.Producer{Brokers: b.brokers, Topic: func(r gen.Record) string { return raw[r.Source] }}
	b.log.Info("producing", "records", b.o.events)
	st, err := p.Produce(ctx, g, b.o.events)
	if err != nil {
		return st, g, fmt.Errorf("produce: %w", err)
	}
	b.log.Info("produced", "records", st.Records, "per_sec", int(st.PerSecond), "bytes", st.Bytes)
	return st, g, nil
}

// ceiling copies the event set with the plain kafka-go → clickhouse-go copy.
func (b *bench) ceiling(ctx context.Context) (*harness.Throughput, *harness.ProduceStats, error) {
	t := &harness.Throughput{Name: "ceiling", Status: "FAIL"}
	raw, _, err := b.topics(ctx, "bench."+b.runID+".ceiling.")
	if err != nil {
		return t, nil, err
	}
	st, _, err := b.produce(ctx, raw)
	if err != nil {
		return t, st, err
	}
	t.Counts.Produced = st.Records
	db := "bench_" + b.runID + "_ceiling"
	conn, err := b.database(ctx, db)
	if err != nil {
		return t, st, err
	}
	defer conn.Close()
	var topics []string
	for _, n := range raw {
		topics = append(topics, n)
	}
	parts, err := b.kafka.Partitions(ctx, topics...)
	if err != nil {
		return t, st, err
	}
	group := "bench-" + b.runID + "-ceiling"
	cp := &harness.Copy{Brokers: b.brokers, Group: group, Topics: topics, Conn: conn,
		Done: func(ctx context.Context) bool {
			lag, err := b.kafka.Lag(ctx, group, parts)
			return err == nil && lag == 0
		}}

	self := os.Getpid()
	before, _ := harness.ReadProc(self)
	meter := harness.StartCPUMeter(b.stackPIDs)
	start := time.Now()
	stopSampling := b.startLagSampling(ctx, start, group, parts, conn, "raw", t)
	b.log.Info("ceiling copy", "records", st.Records)
	_, err = cp.Run(ctx, st.Records)
	stopSampling()
	t.DrainSeconds = round(time.Since(start).Seconds(), 3)
	after, _ := harness.ReadProc(self)
	if err != nil {
		return t, st, err
	}
	t.SetMachineCPU(meter.Stop())
	b.mergeTail(ctx, conn, t)
	// The harness process runs the copy and the samplers; its CPU is an
	// upper bound for the copy's.
	t.CPUSeconds = round(after.CPUSeconds-before.CPUSeconds, 2)
	span, err := harness.Span(ctx, conn, "raw", "(topic, partition, offset)")
	if err != nil {
		return t, st, err
	}
	b.finishCounts(t, span, span.Distinct, 0)
	t.Status = "PASS"
	if t.Counts.Lost != 0 {
		t.Status = "FAIL"
		t.Problems = append(t.Problems, fmt.Sprintf("%d records lost", t.Counts.Lost))
	}
	b.log.Info("ceiling done", "events_per_sec", int(t.EventsPerSecond), "seconds", t.Seconds)
	return t, st, nil
}

// finishCounts fills the counts and rates from what was stored.
func (b *bench) finishCounts(t *harness.Throughput, span harness.StoredSpan, events uint64, dlq int64) {
	t.Counts.StoredRecords = span.Distinct
	t.Counts.StoredEvents = events
	t.Counts.Rows = span.Rows
	t.Counts.DLQ = dlq
	t.Counts.Lost = t.Counts.Produced - int64(span.Distinct) - dlq
	t.Seconds = round(span.Last.Sub(span.First).Seconds(), 3)
	if t.Seconds > 0 {
		t.EventsPerSecond = round(float64(span.Distinct)/t.Seconds, 1)
	}
	if t.Counts.Produced > 0 && t.CPUSeconds > 0 {
		t.CPUSecondsPerMEvt = round(t.CPUSeconds/float64(t.Counts.Produced)*1e6, 2)
	}
	if t.Counts.Produced > 0 && t.MachineCPUSeconds > 0 {
		t.MachineCPUSecondsPerMEvt = round(t.MachineCPUSeconds/float64(t.Counts.Produced)*1e6, 2)
	}
	for _, p := range t.Lag {
		t.MaxLag = max(t.MaxLag, p.Lag)
	}
}

// mergeTail measures ClickHouse's CPU from now until conn's database has
// had no merge running for three seconds in a row (at most two minutes),
// and records it in t.
func (b *bench) mergeTail(ctx context.Context, conn driver.Conn, t *harness.Throughput) {
	pid, ok := b.stackPIDs["clickhouse"]
	if !ok {
		return
	}
	meter := harness.StartCPUMeter(map[string]int{"clickhouse": pid})
	start := time.Now()
	quiet := 0
	for quiet < 6 && time.Since(start) < 2*time.Minute {
		var merging uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.merges WHERE database = currentDatabase()").Scan(&merging); err != nil {
			return
		}
		if merging == 0 {
			quiet++
		} else {
			quiet = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
	_, procs := meter.Stop()
	t.MergeTailCPUSeconds = round(procs["clickhouse"], 2)
	t.MergeTailSeconds = round(time.Since(start).Seconds(), 1)
}

// startLagSampling runs sampleLag in the background; the function it
// returns stops it and waits until it has.
func (b *bench) startLagSampling(ctx context.Context, start time.Time, group string, parts map[string][]int, conn driver.Conn, table string, t *harness.Throughput) (stop func()) {
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.sampleLag(sctx, start, group, parts, conn, table, t)
	}()
	return func() {
		cancel()
		<-done
	}
}

// sampleLag records the group's lag and the table's row count every second
// until ctx ends.
func (b *bench) sampleLag(ctx context.Context, start time.Time, group string, parts map[string][]int, conn driver.Conn, table string, t *harness.Throughput) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p := harness.LagPoint{T: round(time.Since(start).Seconds(), 1), Lag: -1}
		if lag, err := b.kafka.Lag(ctx, group, parts); err == nil {
			p.Lag = lag
		}
		_ = conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&p.Stored)
		t.Lag = append(t.Lag, p)
	}
}

func (b *bench) runDir(name string) string {
	d := filepath.Join(b.workDir, name)
	_ = os.MkdirAll(d, 0o755)
	return d
}
