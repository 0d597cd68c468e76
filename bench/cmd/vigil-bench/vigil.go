package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/sourcegraph/conc"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/bench/harness"
)

// vigilSetup is one run's topics, database, policy set and process.
type vigilSetup struct {
	name     string
	raw      map[string]string
	dlq      []string
	parts    map[string][]int
	group    string
	db       string
	conn     driver.Conn
	policies *harness.PolicySet
	proc     *harness.Process
	started  time.Time
	ready    time.Time
	// settings override the base configuration (a variant run).
	settings map[string]any
}

// prepare creates the run's topics, database and policy set; it does not
// start vigil.
func (b *bench) prepare(ctx context.Context, name string, detections int) (*vigilSetup, error) {
	s := &vigilSetup{name: name, group: "bench-" + b.runID + "-" + name, db: "bench_" + b.runID + "_" + name}
	var err error
	if s.raw, s.dlq, err = b.topics(ctx, "bench."+b.runID+"."+name+"."); err != nil {
		return nil, err
	}
	var names []string
	for _, n := range s.raw {
		names = append(names, n)
	}
	if s.parts, err = b.kafka.Partitions(ctx, names...); err != nil {
		return nil, err
	}
	if s.conn, err = b.database(ctx, s.db); err != nil {
		return nil, err
	}
	if s.policies, err = harness.BuildPolicySet(b.o.policies, filepath.Join(b.runDir(name), "policies"), detections); err != nil {
		return nil, fmt.Errorf("build policy set: %w", err)
	}
	return s, nil
}

// start writes the run's configuration and starts vigil.
func (b *bench) start(ctx context.Context, s *vigilSetup, pprof bool) error {
	cfg := b.base.Clone()
	var topics []any
	for _, src := range gen.AllSources {
		topics = append(topics, map[string]any{"name": s.raw[src], "source": src, "tenant": "acme", "dlq": s.raw[src] + ".dlq"})
	}
	cfg.Set("ingest.topics", topics)
	cfg.Set("ingest.group_id", s.group+"-ingest")
	cfg.Set("ingest.start_from_newest", false)
	cfg.Set("detect.policy_dir", s.policies.Dir)
	cfg.Set("correlate.topic", "bench."+b.runID+"."+s.name+".correlate")
	cfg.Set("correlate.group_id", s.group+"-correlate")
	cfg.Set("storage.database", s.db)
	for k, v := range s.settings {
		cfg.Set(k, v)
	}
	cfg.Set("escalate.targets", []any{map[string]any{"name": "bench-webhook", "type": "webhook", "url": b.webhook.URL()}})
	cfg.Set("escalate.routes", []any{map[string]any{"name": "bench-all", "chain": []any{map[string]any{"targets": []any{"bench-webhook"}}}}})
	listen, err := harness.FreePort()
	if err != nil {
		return err
	}
	cfg.Set("server.listen", listen)
	if pprof {
		cfg.Set("server.pprof", true)
	}
	dir := b.runDir(s.name)
	cfgPath := filepath.Join(dir, "vigil.yaml")
	if err := cfg.Write(cfgPath); err != nil {
		return err
	}
	b.cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = b.kafka.DeleteTopics(ctx, "bench."+b.runID+"."+s.name+".correlate")
	})
	s.started = time.Now()
	if s.proc, err = harness.StartVigil(b.o.vigil, cfgPath, listen, filepath.Join(dir, "vigil.log")); err != nil {
		return err
	}
	if err := s.proc.WaitReady(ctx, 2*time.Minute); err != nil {
		_ = s.proc.Stop(10 * time.Second)
		return err
	}
	s.ready = time.Now()
	b.log.Info("vigil ready", "run", s.name, "pid", s.proc.Pid, "startup", s.ready.Sub(s.started).Round(time.Millisecond), "config", cfgPath)
	return nil
}

// stop ends vigil and keeps its log next to the results when it failed.
func (b *bench) stop(s *vigilSetup, t problemer) {
	if s.proc == nil {
		return
	}
	if err := s.proc.Stop(90 * time.Second); err != nil {
		t.problem("stop: %v", err)
	}
}

type problemer interface {
	problem(format string, args ...any)
}

type throughputProblems struct{ t *harness.Throughput }

func (p throughputProblems) problem(format string, args ...any) {
	p.t.Problems = append(p.t.Problems, fmt.Sprintf(format, args...))
}

// variant is a run with one setting changed from the base configuration.
type variant struct {
	suffix  string // of the run's name
	setting string // configuration path
	value   any
}

// docVariant keeps the vendor namespaces in doc only.
var docVariant = &variant{suffix: "doc", setting: "storage.vendor_fields", value: "doc"}

// vigilThroughput measures vigil consuming the pre-produced event set,
// with the base configuration or, given v, with one setting changed.
func (b *bench) vigilThroughput(ctx context.Context, detections int, v *variant, res *harness.Result) (*harness.Throughput, error) {
	name := fmt.Sprintf("d%d", detections)
	t := &harness.Throughput{Name: fmt.Sprintf("vigil-%d", detections), Status: "FAIL"}
	if v != nil {
		name += v.suffix
		t.Name += "-" + v.suffix
		t.Variant = fmt.Sprintf("%s=%v", v.setting, v.value)
	}
	if _, err := os.Stat(b.o.vigil); err != nil {
		return t, fmt.Errorf("vigil binary: %w (build it with `make build`)", err)
	}
	s, err := b.prepare(ctx, name, detections)
	if err != nil {
		return t, err
	}
	defer s.conn.Close()
	if v != nil {
		s.settings = map[string]any{v.setting: v.value}
	}
	t.Policies = s.policies
	st, g, err := b.produce(ctx, s.raw)
	if err != nil {
		return t, err
	}
	res.Produce = st
	t.Counts.Produced = st.Records
	pprof := b.o.pprofDir != "" && detections == b.o.latencySet && v == nil
	// The machine's CPU is counted from vigil's start, as vigil's own is.
	meter := harness.StartCPUMeter(b.stackPIDs)
	if err := b.start(ctx, s, pprof); err != nil {
		return t, err
	}
	defer b.stop(s, throughputProblems{t})
	t.StartupSeconds = round(s.ready.Sub(s.started).Seconds(), 3)
	if pprof {
		defer b.profileAfter(ctx, s, res, 0)()
	}
	before, err := harness.ReadProc(s.proc.Pid)
	if err != nil {
		return t, err
	}
	// CPU is counted from process start: startup (migrations, policy
	// compilation and tests) is part of what a million events cost here.
	before.CPUSeconds = 0
	last, err := b.drain(ctx, s, st.Records, t)
	if err != nil {
		return t, err
	}
	t.DrainSeconds = round(time.Since(s.ready).Seconds(), 3)
	t.CPUSeconds = round(last.CPUSeconds-before.CPUSeconds, 2)
	t.PeakRSSBytes = last.PeakRSSByte
	t.SetMachineCPU(meter.Stop())
	b.mergeTail(ctx, s.conn, t)

	span, err := harness.Span(ctx, s.conn, "events", "(origin_topic, origin_partition, origin_offset)")
	if err != nil {
		return t, err
	}
	var events uint64
	if err := s.conn.QueryRow(ctx, "SELECT uniqExact(event_id) FROM events").Scan(&events); err != nil {
		return t, fmt.Errorf("count events: %w", err)
	}
	dlq, err := b.kafka.Records(ctx, s.dlq...)
	if err != nil {
		return t, err
	}
	b.finishCounts(t, span, events, dlq)
	b.settle(ctx, s)
	alerts, err := loadAlerts(ctx, s.conn)
	if err != nil {
		return t, err
	}
	incidents, err := loadIncidents(ctx, s.conn)
	if err != nil {
		return t, err
	}
	if t.AlertsRestarted, err = countRestartedAlerts(ctx, s.conn); err != nil {
		return t, err
	}
	t.Alerts, t.Incidents = uint64(len(alerts.ids)), uint64(len(incidents))
	b.alertsByRun[t.Name] = alerts.byDetection
	t.Scenarios = checkScenarios(g.Expected(), alerts, incidents, s.policies.Library >= b.libSize)
	t.Status = "PASS"
	if t.Counts.Lost != 0 {
		t.Status = "FAIL"
		t.Problems = append(t.Problems, fmt.Sprintf("%d records neither stored nor dead-lettered", t.Counts.Lost))
	}
	for _, in := range incidents {
		if in.repeatsAlert() {
			t.IncidentsRepeatingAlerts++
		}
	}
	if t.AlertsRestarted > 0 {
		t.Status = "FAIL"
		t.Problems = append(t.Problems, fmt.Sprintf("%d suppressed alerts restarted their count under the same id", t.AlertsRestarted))
	}
	if t.IncidentsRepeatingAlerts > 0 {
		t.Status = "FAIL"
		t.Problems = append(t.Problems, fmt.Sprintf("%d incidents list an alert more than once", t.IncidentsRepeatingAlerts))
	}
	if t.Scenarios.Enforced && len(t.Scenarios.Missing) > 0 {
		t.Status = "FAIL"
		t.Problems = append(t.Problems, fmt.Sprintf("%d of %d expected scenario instances not found", len(t.Scenarios.Missing), t.Scenarios.Expected))
	}
	b.log.Info("vigil run done", "run", t.Name, "events_per_sec", int(t.EventsPerSecond), "cpu_s_per_m", t.CPUSecondsPerMEvt,
		"peak_rss_mib", t.PeakRSSBytes>>20, "lost", t.Counts.Lost, "alerts", t.Alerts, "incidents", t.Incidents)
	return t, nil
}

// drain samples vigil every second until its consumer group has no lag and
// every produced record is stored or dead-lettered, and returns the last
// process sample.
func (b *bench) drain(ctx context.Context, s *vigilSetup, produced int64, t *harness.Throughput) (harness.ProcSample, error) {
	deadline := time.Now().Add(b.o.runTimeout)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var last harness.ProcSample
	group := s.group + "-ingest"
	for {
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-tick.C:
		}
		if s.proc.Exited() {
			return last, fmt.Errorf("vigil exited during the run; last log lines:\n%s", s.proc.LogTail(20))
		}
		ps, err := harness.ReadProc(s.proc.Pid)
		if err == nil {
			last = ps
		}
		p := harness.LagPoint{T: round(time.Since(s.ready).Seconds(), 1), Lag: -1}
		if lag, err := b.kafka.Lag(ctx, group, s.parts); err == nil {
			p.Lag = lag
		}
		_ = s.conn.QueryRow(ctx, "SELECT count() FROM events").Scan(&p.Stored)
		t.Lag = append(t.Lag, p)
		if p.Lag == 0 && int64(p.Stored) > 0 {
			var stored uint64
			if err := s.conn.QueryRow(ctx, "SELECT uniqExact(origin_topic, origin_partition, origin_offset) FROM events").Scan(&stored); err == nil {
				dlq, _ := b.kafka.Records(ctx, s.dlq...)
				if int64(stored)+dlq >= produced {
					return last, nil
				}
			}
		}
		if time.Now().After(deadline) {
			return last, fmt.Errorf("not drained after %v: lag %d, %d rows stored of %d records", b.o.runTimeout, p.Lag, p.Stored, produced)
		}
	}
}

// settle waits until the alert and incident counts stop changing for three
// seconds (correlation and escalation run behind ingest), at most a minute.
func (b *bench) settle(ctx context.Context, s *vigilSetup) {
	var prev [2]uint64
	stable := 0
	for i := 0; i < 60 && stable < 3; i++ {
		var cur [2]uint64
		_ = s.conn.QueryRow(ctx, "SELECT count() FROM alerts").Scan(&cur[0])
		_ = s.conn.QueryRow(ctx, "SELECT count() FROM incidents").Scan(&cur[1])
		if cur == prev {
			stable++
		} else {
			stable = 0
		}
		prev = cur
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// profileAfter profiles the run from delay on, while it goes on. The
// returned wait blocks until the profiles are saved: deferred after the
// run's stop is deferred, it keeps vigil running until then and the result
// complete before it is written.
func (b *bench) profileAfter(ctx context.Context, s *vigilSetup, res *harness.Result, delay time.Duration) (wait func()) {
	var wg conc.WaitGroup
	wg.Go(func() {
		select {
		case <-ctx.Done():
		case <-time.After(delay):
			b.profile(ctx, s, res)
		}
	})
	return wg.Wait
}

// profile fetches a CPU profile and then an allocation profile while the
// run consumes.
func (b *bench) profile(ctx context.Context, s *vigilSetup, res *harness.Result) {
	if err := os.MkdirAll(b.o.pprofDir, 0o755); err != nil {
		b.log.Warn("pprof", "err", err)
		return
	}
	for _, p := range []struct{ path, file string }{
		{fmt.Sprintf("/debug/pprof/profile?seconds=%d", b.o.pprofSeconds), "cpu-" + s.name + ".pprof"},
		{"/debug/pprof/allocs", "allocs-" + s.name + ".pprof"},
	} {
		f := filepath.Join(b.o.pprofDir, p.file)
		if err := s.proc.FetchProfile(ctx, p.path, f); err != nil {
			b.log.Warn("pprof not available", "err", err)
			return
		}
		res.Profiles = append(res.Profiles, f)
		b.log.Info("profile saved", "file", f)
	}
}

// crossCheck compares each run's alerts, detection by detection, with the
// run holding the most library detections: the same events must raise the
// same alerts (alert ids are deterministic) whatever else is loaded.
func (b *bench) crossCheck(runs []*harness.Throughput, ref *harness.Throughput) {
	if ref == nil {
		return
	}
	refAlerts := b.alertsByRun[ref.Name]
	for _, t := range runs {
		got, ok := b.alertsByRun[t.Name]
		if t == ref || !ok || t.Policies == nil {
			continue
		}
		missing := 0
		for _, id := range t.Policies.IDs {
			for a := range refAlerts[id] {
				if !got[id][a] {
					missing++
				}
			}
			for a := range got[id] {
				if !refAlerts[id][a] {
					missing++ // an alert the reference lost
				}
			}
		}
		t.AlertsMissing = missing
		if missing > 0 {
			t.Status = "FAIL"
			t.Problems = append(t.Problems, fmt.Sprintf("%d alerts differ from %s for the shared detections", missing, ref.Name))
		}
	}
}

func targets(res *harness.Result, set int) []harness.Target {
	var out []harness.Target
	var at *harness.Throughput
	for _, t := range res.Vigil {
		if t.Policies != nil && t.Policies.Detections == set && t.Variant == "" {
			at = t
		}
	}
	tp := harness.Target{Name: fmt.Sprintf("vigil with %d detections vs ceiling", set), Want: "≥ 50%", Got: "not measured"}
	if at != nil && res.Ceiling != nil && res.Ceiling.EventsPerSecond > 0 {
		tp.Got = fmt.Sprintf("%.0f%%", 100*at.EventsPerSecond/res.Ceiling.EventsPerSecond)
		tp.Met = at.EventsPerSecond >= res.Ceiling.EventsPerSecond/2
	}
	out = append(out, tp)
	tl := harness.Target{Name: "p99 produce → alert at 50% of max rate", Want: "< 2000 ms", Got: "not measured"}
	if l := res.Latency; l != nil && l.ProduceToAlert.Samples > 0 {
		tl.Got = fmt.Sprintf("%.0f ms", l.ProduceToAlert.P99Ms)
		tl.Met = l.ProduceToAlert.P99Ms < 2000
	}
	out = append(out, tl)
	loss := harness.Target{Name: "no lost event, alert or detection", Want: "0 lost", Met: len(res.Vigil) > 0}
	var lost int64
	var missing int
	for _, t := range res.Vigil {
		lost += max(t.Counts.Lost, 0)
		missing += t.AlertsMissing
		if t.Scenarios != nil && t.Scenarios.Enforced {
			missing += len(t.Scenarios.Missing)
		}
		if t.Status != "PASS" {
			loss.Met = false
		}
	}
	for _, l := range append([]*harness.LatencyRun{res.Latency}, res.LatencySweep...) {
		if l != nil {
			lost += max(l.Counts.Lost, 0)
		}
	}
	loss.Got = fmt.Sprintf("%d ev, %d det", lost, missing)
	loss.Met = loss.Met && lost == 0 && missing == 0
	out = append(out, loss)
	return out
}
