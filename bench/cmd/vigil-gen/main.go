// Command vigil-gen writes the telemetry of bench/gen either as files, one
// per tenant and source, or to Kafka, one topic per source.
//
//	vigil-gen --out DIR --count 100000 --seed 1
//	vigil-gen --brokers localhost:9092 --rate 5000 --count 0
//
// Files are DIR/<tenant>/<source>.jsonl (syslog.log for syslog), one native
// record per line, plus DIR/expected.json with the scenarios injected. In
// Kafka mode each record goes to its source's topic (created if missing)
// keyed by Record.Key, with headers "tenant" and "source".
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/internal/kafkatopic"
)

type options struct {
	seed        int64
	count       int64
	tenants     string
	start       string
	eps         float64
	noise       bool
	scenarios   string
	sources     string
	every       int
	out         string
	brokers     string
	rate        float64
	partitions  int
	replication int
	batch       int
	expected    string
	prefix      string
}

func main() {
	var o options
	flag.Int64Var(&o.seed, "seed", 1, "random seed; the same flags give the same stream")
	flag.Int64Var(&o.count, "count", 100000, "records to produce; 0 = until interrupted (Kafka mode)")
	flag.StringVar(&o.tenants, "tenants", "acme,globex", "comma-separated tenant names")
	flag.StringVar(&o.start, "start", "", "event time of the first record (RFC 3339); default: generator default for --out, now for Kafka")
	flag.Float64Var(&o.eps, "eps", 0, "noise records per second of event time; default: --rate if set, else 100")
	flag.BoolVar(&o.noise, "noise", true, "produce background noise")
	flag.StringVar(&o.scenarios, "scenarios", "all", "comma-separated scenario names, all or none")
	flag.StringVar(&o.sources, "sources", "", "comma-separated sources; empty = all")
	flag.IntVar(&o.every, "every", 0, "noise records between scenario injections (0 = generator default)")
	flag.StringVar(&o.out, "out", "", "write files under this directory instead of Kafka")
	flag.StringVar(&o.brokers, "brokers", "", "comma-separated Kafka bootstrap brokers")
	flag.Float64Var(&o.rate, "rate", 0, "records per second to produce; 0 = as fast as possible")
	flag.IntVar(&o.partitions, "partitions", 6, "partitions of topics this command creates")
	flag.IntVar(&o.replication, "replication", 1, "replication factor of topics this command creates")
	flag.IntVar(&o.batch, "batch", 1000, "records per Kafka write")
	flag.StringVar(&o.prefix, "topic-prefix", "", "prefix for every topic name, e.g. \"run42.\"")
	flag.StringVar(&o.expected, "expected", "", "also write the expectations as JSON to this file (Kafka mode)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: vigil-gen (--out DIR | --brokers HOST:PORT) [flags]\n\nscenarios:\n")
		for _, s := range gen.Scenarios() {
			fmt.Fprintf(flag.CommandLine.Output(), "  %-28s %s\n", s.Name, strings.Join(s.Expected.Behaviours, ", "))
		}
		fmt.Fprintln(flag.CommandLine.Output())
		flag.PrintDefaults()
	}
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("component", "vigil-gen")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, logger); err != nil {
		logger.Error("vigil-gen failed", "err", err)
		os.Exit(1)
	}
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func config(o options, kafkaMode bool) (gen.Config, error) {
	cfg := gen.Config{Seed: o.seed, Tenants: split(o.tenants), Noise: o.noise, Sources: split(o.sources), ScenarioEvery: o.every}
	switch o.scenarios {
	case "all", "":
	case "none":
		cfg.Scenarios = []string{}
	default:
		cfg.Scenarios = split(o.scenarios)
		known := map[string]bool{}
		for _, s := range gen.Scenarios() {
			known[s.Name] = true
		}
		for _, s := range cfg.Scenarios {
			if !known[s] {
				return cfg, fmt.Errorf("unknown scenario %q", s)
			}
		}
	}
	for _, s := range cfg.Sources {
		if _, ok := gen.Topics[s]; !ok {
			return cfg, fmt.Errorf("unknown source %q", s)
		}
	}
	cfg.EventsPerSecondOfEventTime = o.eps
	if o.eps == 0 && o.rate > 0 {
		cfg.EventsPerSecondOfEventTime = o.rate
	}
	switch {
	case o.start != "":
		t, err := time.Parse(time.RFC3339, o.start)
		if err != nil {
			return cfg, fmt.Errorf("parse --start: %w", err)
		}
		cfg.Start = t
	case kafkaMode:
		// Event times near the wall clock: Kafka retention and syslog's
		// year-less timestamps both assume so.
		cfg.Start = time.Now().UTC().Truncate(time.Second)
	}
	return cfg, nil
}

func run(ctx context.Context, o options, logger *slog.Logger) error {
	switch {
	case o.out != "" && o.brokers != "":
		return errors.New("--out and --brokers are exclusive")
	case o.out != "":
		cfg, err := config(o, false)
		if err != nil {
			return err
		}
		return writeFiles(ctx, gen.New(cfg), o, logger)
	case o.brokers != "":
		cfg, err := config(o, true)
		if err != nil {
			return err
		}
		return produce(ctx, gen.New(cfg), cfg, o, logger)
	default:
		flag.Usage()
		return errors.New("one of --out or --brokers is required")
	}
}

func writeFiles(ctx context.Context, g *gen.Generator, o options, logger *slog.Logger) error {
	if o.count <= 0 {
		return errors.New("--count must be positive with --out")
	}
	type file struct {
		f *os.File
		w *bufio.Writer
	}
	files := map[string]*file{}
	closeAll := func() error {
		var errs []error
		for _, f := range files {
			errs = append(errs, f.w.Flush(), f.f.Close())
		}
		return errors.Join(errs...)
	}
	start := time.Now()
	var n int64
	for n = 0; n < o.count && ctx.Err() == nil; n++ {
		r := g.Next()
		if r.Value == nil {
			break
		}
		k := r.Tenant + "/" + r.Source
		f := files[k]
		if f == nil {
			dir := filepath.Join(o.out, r.Tenant)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return errors.Join(err, closeAll())
			}
			name := r.Source + ".jsonl"
			if r.Source == gen.SourceSyslog {
				name = "syslog.log"
			}
			fh, err := os.Create(filepath.Join(dir, name))
			if err != nil {
				return errors.Join(err, closeAll())
			}
			f = &file{f: fh, w: bufio.NewWriterSize(fh, 1<<20)}
			files[k] = f
		}
		f.w.Write(r.Value)
		f.w.WriteByte('\n')
	}
	if err := closeAll(); err != nil {
		return fmt.Errorf("write files: %w", err)
	}
	if err := writeExpected(filepath.Join(o.out, "expected.json"), g); err != nil {
		return err
	}
	el := time.Since(start)
	logger.Info("wrote records", "records", n, "dir", o.out, "seconds", el.Seconds(), "records_per_second", int64(float64(n)/el.Seconds()),
		"scenarios_complete", len(g.Expected()))
	return nil
}

// expectedFile is the JSON written next to the records.
type expectedFile struct {
	Tenants   []gen.TenantInfo  `json:"tenants"`
	Completed []gen.Expectation `json:"completed"`
	Injected  []gen.Expectation `json:"injected"`
}

func writeExpected(path string, g *gen.Generator) error {
	b, err := json.MarshalIndent(expectedFile{Tenants: g.Tenants(), Completed: g.Expected(), Injected: g.Injected()}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode expectations: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write expectations: %w", err)
	}
	return nil
}

// createTopics creates the topics of the configured sources; topics that
// exist are left alone.
func createTopics(ctx context.Context, brokers []string, cfg gen.Config, o options) error {
	sources := cfg.Sources
	if len(sources) == 0 {
		sources = gen.AllSources
	}
	specs := make([]kafkatopic.Spec, 0, len(sources))
	for _, s := range sources {
		specs = append(specs, kafkatopic.Spec{Name: o.prefix + gen.Topics[s], Partitions: o.partitions, ReplicationFactor: o.replication})
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return kafkatopic.Ensure(ctx, brokers, specs...)
}

func produce(ctx context.Context, g *gen.Generator, cfg gen.Config, o options, logger *slog.Logger) error {
	brokers := split(o.brokers)
	if err := createTopics(ctx, brokers, cfg, o); err != nil {
		return err
	}
	w := &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchSize:    o.batch,
		BatchBytes:   16 << 20,
		BatchTimeout: 20 * time.Millisecond,
		Compression:  kafka.Lz4,
	}
	logger.Info("producing", "brokers", o.brokers, "rate", o.rate, "count", o.count, "start", cfg.Start)
	start := time.Now()
	var n int64
	msgs := make([]kafka.Message, 0, o.batch)
	lastLog := start
	var err error
	for (o.count == 0 || n < o.count) && ctx.Err() == nil {
		msgs = msgs[:0]
		for len(msgs) < o.batch && (o.count == 0 || n+int64(len(msgs)) < o.count) {
			r := g.Next()
			if r.Value == nil {
				break
			}
			msgs = append(msgs, kafka.Message{Topic: o.prefix + r.Topic, Key: r.Key, Value: r.Value, Headers: []kafka.Header{
				{Key: "tenant", Value: []byte(r.Tenant)}, {Key: "source", Value: []byte(r.Source)},
			}})
		}
		if len(msgs) == 0 {
			break
		}
		if o.rate > 0 {
			// Pace on the whole run, so that slow writes are caught up.
			due := start.Add(time.Duration(float64(n+int64(len(msgs))) / o.rate * float64(time.Second)))
			select {
			case <-ctx.Done():
			case <-time.After(time.Until(due)):
			}
		}
		if err = w.WriteMessages(ctx, msgs...); err != nil {
			break
		}
		n += int64(len(msgs))
		if time.Since(lastLog) > 10*time.Second {
			lastLog = time.Now()
			logger.Info("progress", "records", n, "records_per_second", int64(float64(n)/time.Since(start).Seconds()))
		}
	}
	cerr := w.Close()
	el := time.Since(start)
	logger.Info("produced records", "records", n, "seconds", el.Seconds(), "records_per_second", int64(float64(n)/el.Seconds()),
		"scenarios_complete", len(g.Expected()))
	if o.expected != "" {
		if xerr := writeExpected(o.expected, g); xerr != nil {
			return xerr
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("write messages: %w", err)
	}
	if cerr != nil {
		return fmt.Errorf("close writer: %w", cerr)
	}
	return nil
}
