// Command vigil-bench measures vigil end to end on real Kafka and
// ClickHouse, in one run: the ceiling (a plain Kafka → ClickHouse copy of
// the same events), vigil's sustained throughput, CPU, memory and consumer
// lag with several detection-set sizes, produce-to-alert and
// produce-to-escalation latency at half of vigil's maximum rate, and the
// correctness of everything it stored. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	config         string
	out            string
	events         int
	detections     []int
	skipLatency    bool
	skipCeiling    bool
	vigil          string
	seed           int64
	pprofDir       string
	pprofSeconds   int
	partitions     int
	latencySeconds int
	latencyRate    float64
	latencySet     int
	latencySweep   []float64
	runTimeout     time.Duration
	policies       string
	keep           bool
	stackRunDir    string
	// docVariant adds a run of the latency set with storage.vendor_fields
	// set to doc, beside the runs with the base configuration.
	docVariant bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigil-bench:", err)
	}
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("vigil-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var dets, sweep string
	fs.StringVar(&o.config, "config", "deploy/local/vigil.yaml", "base vigil configuration; each run derives its own from it")
	fs.StringVar(&o.out, "out", "bench/results", "directory for <date>-<host>.json and latest.json")
	fs.IntVar(&o.events, "events", 300000, "records produced for each throughput run")
	fs.StringVar(&dets, "detections", "0,10,50,200", "detection-set sizes, one vigil run each (0: ingest and storage only)")
	fs.BoolVar(&o.skipLatency, "skip-latency", false, "skip the rate-limited latency run")
	fs.BoolVar(&o.skipCeiling, "skip-ceiling", false, "skip the Kafka → ClickHouse copy")
	fs.StringVar(&o.vigil, "vigil", "bin/vigil", "the vigil binary")
	fs.Int64Var(&o.seed, "seed", 1, "generator seed: the same seed gives the same events")
	fs.StringVar(&o.pprofDir, "pprof", "", "save CPU and allocation profiles of the latency-set run to this directory (needs server.pprof in vigil)")
	fs.IntVar(&o.pprofSeconds, "pprof-seconds", 15, "length of the CPU profile")
	fs.IntVar(&o.partitions, "partitions", 3, "partitions of every raw topic")
	fs.IntVar(&o.latencySeconds, "latency-seconds", 120, "duration of the rate-limited run (a scenario starts every five seconds: about one escalation each)")
	fs.IntVar(&o.latencySet, "latency-detections", 50, "detection set of the latency run (and of the ceiling-ratio target)")
	fs.Float64Var(&o.latencyRate, "latency-rate", 0, "run the latency stage at this many events/s instead of half the maximum (for comparing changes; the 50 % target is then not measured)")
	fs.StringVar(&sweep, "latency-sweep", "", "more latency runs at these fractions of the maximum rate, e.g. 0.25,0.75 (the 0.5 run is always made)")
	fs.DurationVar(&o.runTimeout, "run-timeout", 10*time.Minute, "give up on a vigil run that has not stored every record after this long")
	fs.StringVar(&o.policies, "policies", "policies", "the detection library the sets are built from")
	fs.BoolVar(&o.keep, "keep", false, "keep each run's topics and database")
	fs.BoolVar(&o.docVariant, "doc-variant", true, "also run the latency detection set with storage.vendor_fields: doc (vendor fields in doc only), unless the base configuration already has it")
	stackDir := ".local/stack"
	if d := os.Getenv("VIGIL_STACK_DIR"); d != "" {
		stackDir = d
	}
	fs.StringVar(&o.stackRunDir, "stack-run-dir", filepath.Join(stackDir, "run"), "pid files of the local stack's Kafka and ClickHouse, whose CPU each run reports")
	if err := fs.Parse(args); err != nil {
		return 2, nil
	}
	for _, s := range strings.Split(dets, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			return 2, fmt.Errorf("--detections: %q is not a number of detections", s)
		}
		o.detections = append(o.detections, n)
	}
	for _, s := range strings.Split(sweep, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f > 1 || f == 0.5 {
			return 2, fmt.Errorf("--latency-sweep: %q is not a fraction in (0, 1] other than 0.5", s)
		}
		o.latencySweep = append(o.latencySweep, f)
	}
	if o.events <= 0 {
		return 2, errors.New("--events must be positive")
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	b, err := newBench(ctx, o, log)
	if err != nil {
		return 1, err
	}
	defer b.close()
	res := b.all(ctx)
	path, err := res.WriteFiles(o.out)
	if err != nil {
		return 1, err
	}
	fmt.Fprintln(stdout)
	res.PrintTable(stdout)
	fmt.Fprintln(stdout, "\nresults:", path)
	if res.Status != "PASS" {
		return 1, nil
	}
	return 0, nil
}
