package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/escalate"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/kafkatopic"
	"github.com/vigil-soc/vigil/storage"
)

// DemoOptions configures `vigil demo`.
type DemoOptions struct {
	Config  string
	Seed    int64
	Noise   int // background records
	Repeats int // injections of each attack scenario
	// Timeout bounds the wait for the pipeline to settle.
	Timeout time.Duration
	// LogFile receives the pipeline's log.
	LogFile string
}

// Demo generates realistic telemetry with injected attack scenarios,
// produces it to the configured raw topics, runs the whole pipeline over it
// and prints the incidents it found next to the attacks that were injected,
// the escalations a local webhook received, and one postmortem report.
func Demo(ctx context.Context, opts DemoOptions, stdout, stderr io.Writer) error {
	cfg, err := LoadConfig(opts.Config)
	if err != nil {
		return err
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Minute
	}
	if opts.Repeats < 1 {
		opts.Repeats = 1
	}
	if opts.LogFile == "" {
		opts.LogFile = filepath.Join(os.TempDir(), "vigil-demo.log")
	}
	runStart := time.Now().UTC().Truncate(time.Second)
	// Events carry their sources' own ids, which the generator derives from
	// its seed: a second run with the same seed replays the same events,
	// which vigil rightly treats as duplicates. So each run gets a new seed
	// unless one is given.
	if opts.Seed == 0 {
		opts.Seed = runStart.Unix()
	}

	// The attacks happen "now": their event times end shortly before the run.
	perSecond := 50.0
	g := gen.New(gen.Config{
		Seed:                       opts.Seed,
		Tenants:                    []string{"acme", "globex"},
		Start:                      runStart.Add(-time.Duration(float64(opts.Noise)/perSecond*float64(time.Second)) - 10*time.Minute),
		EventsPerSecondOfEventTime: perSecond,
		Noise:                      true,
		ScenarioEvery:              max(1000, opts.Noise/(len(gen.Scenarios())*opts.Repeats+1)),
	})
	var records []gen.Record
	for len(records) < opts.Noise || len(g.Expected()) < len(gen.Scenarios())*opts.Repeats {
		records = append(records, g.Next())
		if len(records) > opts.Noise*4+200000 {
			return errors.New("demo: the generator did not complete its scenarios")
		}
	}
	expected := g.Expected()

	// Map the tenant identifiers inside the native records to tenant names,
	// and route every generated source to its topic.
	if cfg.Ingest.TenantAliases == nil {
		cfg.Ingest.TenantAliases = map[string]string{}
	}
	for _, t := range g.Tenants() {
		cfg.Ingest.TenantAliases[t.EntraTenantID] = t.Name
		cfg.Ingest.TenantAliases[t.AWSAccountID] = t.Name
	}
	topics := map[string]bool{}
	for _, r := range records {
		topics[r.Topic] = true
	}
	for _, t := range cfg.Ingest.Topics {
		delete(topics, t.Name)
	}
	if len(topics) > 0 {
		return fmt.Errorf("demo: the configuration does not consume topics %v (ingest.topics)", slices.Sorted(mapsKeys(topics)))
	}

	// A local webhook receiver shows what escalation delivers.
	recv, err := startReceiver()
	if err != nil {
		return err
	}
	defer recv.Close()
	cfg.Escalate.Targets = append(cfg.Escalate.Targets, escalate.TargetConfig{Name: "demo-webhook", Type: escalate.TargetWebhook, URL: recv.URL, Timeout: 5 * time.Second})
	cfg.Escalate.Routes = append([]escalate.Route{{Name: "demo", Chain: []escalate.Level{{Targets: []string{"demo-webhook"}}}}}, cfg.Escalate.Routes...)
	cfg.Escalate.PollInterval = 500 * time.Millisecond
	cfg.Escalate.ApplyDefaults()
	if err := cfg.Escalate.Validate(); err != nil {
		return fmt.Errorf("demo escalation config: %w", err)
	}

	fmt.Fprintf(stdout, "vigil demo: %d records (%d attack scenario instances) across %d sources, seed %d\n", len(records), len(expected), len(cfg.Ingest.Topics), opts.Seed)
	var specs []kafkatopic.Spec
	for _, t := range cfg.Ingest.Topics {
		specs = append(specs, kafkatopic.Spec{Name: t.Name, Partitions: 3})
	}
	setupCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := kafkatopic.Ensure(setupCtx, cfg.Kafka.Brokers, specs...); err != nil {
		return err
	}
	if err := produce(ctx, cfg.Kafka.Brokers, records); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "produced %d records to Kafka; starting the pipeline\n", len(records))

	if err := os.MkdirAll(filepath.Dir(opts.LogFile), 0o755); err != nil {
		return fmt.Errorf("demo log: %w", err)
	}
	logFile, err := os.Create(opts.LogFile)
	if err != nil {
		return fmt.Errorf("demo log: %w", err)
	}
	defer logFile.Close()
	fmt.Fprintf(stdout, "pipeline log: %s\n", opts.LogFile)
	logger := NewLogger(LogConfig{Level: "info", Format: "text"}, logFile)
	applyRuntime(cfg.Runtime, logger)
	reg := prometheus.NewRegistry()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	cfg.Server.Listen = "127.0.0.1:0"
	svc, err := Start(runCtx, cfg, logger, reg)
	if err != nil {
		return err
	}
	incidents, err := waitSettled(ctx, svc.Store, expected, runStart, opts.Timeout, stdout)
	stop()
	waitErr := svc.Wait()
	if err != nil {
		return err
	}
	if waitErr != nil {
		return waitErr
	}

	// Reopen the store for the report: the service closed its own.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := storage.Open(ctx, cfg.Storage, quiet, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	printDemo(stdout, incidents, expected, recv)
	if top := reportWorthy(incidents); top != nil {
		mg, err := escalate.NewManager(ctx, cfg.Escalate, st, escalate.Options{
			IsNotFound: func(err error) bool { return errors.Is(err, storage.ErrNotFound) }, Logger: quiet,
		})
		if err != nil {
			return err
		}
		report, err := mg.Report(ctx, top.ID)
		if err != nil {
			return fmt.Errorf("report %s: %w", top.ID, err)
		}
		fmt.Fprintf(stdout, "\n──── postmortem report of %s (vigil incident report --config %s %s) ────\n\n%s", top.ID, opts.Config, top.ID, report)
	}
	missed := 0
	for _, e := range expected {
		if len(matching(incidents, e)) == 0 {
			missed++
		}
	}
	if missed > 0 {
		return ExitError{Code: 1, Message: fmt.Sprintf("demo: %d of %d injected attacks produced no incident", missed, len(expected))}
	}
	return nil
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// produce writes the records to their topics, keyed, and waits for acks.
func produce(ctx context.Context, brokers []string, records []gen.Record) error {
	w := &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchSize:    1000,
		BatchTimeout: 5 * time.Millisecond,
		Compression:  kafka.Lz4,
	}
	defer w.Close()
	for chunk := range slices.Chunk(records, 5000) {
		msgs := make([]kafka.Message, len(chunk))
		for i, r := range chunk {
			msgs[i] = kafka.Message{Topic: r.Topic, Key: r.Key, Value: r.Value, Time: r.Time,
				Headers: []kafka.Header{{Key: "tenant", Value: []byte(r.Tenant)}}}
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			return fmt.Errorf("produce demo records: %w", err)
		}
	}
	return nil
}

// waitSettled polls the store until every injected attack has an incident
// and the incident set stopped changing, or the timeout passes.
func waitSettled(ctx context.Context, st *storage.Store, expected []gen.Expectation, runStart time.Time, timeout time.Duration, out io.Writer) ([]event.Incident, error) {
	deadline := time.Now().Add(timeout)
	var last []event.Incident
	stableSince := time.Now()
	lastSig, lastPrinted := "", "-"
	for {
		incs, err := st.ListIncidents(ctx, storage.IncidentFilter{Since: expected[0].Start.Add(-time.Hour), Limit: 10000})
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Earlier demo runs share the database; show this run's incidents.
		incs = slices.DeleteFunc(incs, func(inc event.Incident) bool { return inc.CreatedAt.Before(runStart) })
		if err == nil {
			last = incs
			sig := signature(incs)
			if sig != lastSig {
				lastSig, stableSince = sig, time.Now()
			}
			found := 0
			for _, e := range expected {
				if len(matching(incs, e)) > 0 {
					found++
				}
			}
			if sig != lastPrinted {
				fmt.Fprintf(out, "  %s  incidents: %d, attacks with an incident: %d/%d\n", time.Now().Format("15:04:05"), len(incs), found, len(expected))
				lastPrinted = sig
			}
			if found == len(expected) && time.Since(stableSince) > 8*time.Second {
				fmt.Fprintln(out)
				return last, nil
			}
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(out)
			return last, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func signature(incs []event.Incident) string {
	var b strings.Builder
	for _, inc := range incs {
		fmt.Fprintf(&b, "%s/%d/%s;", inc.ID, inc.Version, inc.Status)
	}
	return b.String()
}

// matching returns the incidents of the expectation's tenant that involve
// one of its entities during its time range.
func matching(incs []event.Incident, e gen.Expectation) []event.Incident {
	want := map[event.Entity]bool{}
	for _, en := range e.Entities {
		want[normalizeEntity(en)] = true
	}
	var out []event.Incident
	for _, inc := range incs {
		if inc.Tenant != e.Tenant || inc.LastSeen.Before(e.Start.Add(-time.Minute)) || inc.FirstSeen.After(e.End.Add(time.Hour)) {
			continue
		}
		for _, en := range inc.Entities {
			if want[normalizeEntity(en)] {
				out = append(out, inc)
				break
			}
		}
	}
	return out
}

func normalizeEntity(e event.Entity) event.Entity {
	return event.Entity{Kind: e.Kind, Value: strings.ToLower(e.Value)}
}

// reportWorthy picks the incident whose postmortem the demo prints: a
// declared one that tells a sequence, the most severe first.
func reportWorthy(incs []event.Incident) *event.Incident {
	rank := func(inc *event.Incident) int {
		r := int(inc.Severity) * 10
		if inc.Status != event.StatusCandidate {
			r += 100
		}
		if inc.Kind == "sequence" {
			r += 50
		}
		return r
	}
	var top *event.Incident
	for i := range incs {
		inc := &incs[i]
		if top == nil || rank(inc) > rank(top) || (rank(inc) == rank(top) && len(inc.AlertIDs) < len(top.AlertIDs)) {
			top = inc
		}
	}
	return top
}

func printDemo(out io.Writer, incs []event.Incident, expected []gen.Expectation, recv *receiver) {
	sort.SliceStable(incs, func(i, j int) bool {
		if incs[i].Severity != incs[j].Severity {
			return incs[i].Severity > incs[j].Severity
		}
		return incs[i].FirstSeen.Before(incs[j].FirstSeen)
	})
	fmt.Fprintf(out, "\n%d incidents\n", len(incs))
	printIncidents(out, incs)

	fmt.Fprintf(out, "\ninjected attacks → incidents\n")
	for _, e := range expected {
		m := matching(incs, e)
		status := "MISSED"
		if len(m) > 0 {
			titles := make([]string, 0, len(m))
			for _, inc := range m {
				titles = append(titles, fmt.Sprintf("%s [%s, %s]", inc.Title, inc.Severity, inc.Status))
			}
			status = fmt.Sprintf("%d incident(s): %s", len(m), strings.Join(titles, "; "))
		}
		fmt.Fprintf(out, "  %-28s %-7s %s\n", e.Scenario, e.Tenant, status)
	}
	got := recv.Received()
	fmt.Fprintf(out, "\nescalations delivered to the local webhook: %d\n", len(got))
	for _, d := range got {
		fmt.Fprintf(out, "  %s  %s\n", d.key, d.summary)
	}
}

// receiver is the demo's local webhook endpoint.
type receiver struct {
	URL string
	srv *http.Server
	mu  sync.Mutex
	got []delivered
}

type delivered struct{ key, summary string }

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo webhook receiver: %w", err)
	}
	r := &receiver{URL: "http://" + ln.Addr().String() + "/hook"}
	r.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body struct {
			Kind     string `json:"kind"`
			Incident struct {
				ID       string `json:"id"`
				Title    string `json:"title"`
				Severity string `json:"severity"`
			} `json:"incident"`
		}
		_ = json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&body)
		r.mu.Lock()
		r.got = append(r.got, delivered{key: req.Header.Get("Idempotency-Key"), summary: fmt.Sprintf("%s %s [%s] %s", body.Kind, body.Incident.ID, body.Incident.Severity, body.Incident.Title)})
		r.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) Received() []delivered {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func (r *receiver) Close() { _ = r.srv.Close() }

func escalateWebhook(url string) escalate.TargetConfig {
	return escalate.TargetConfig{Name: "hook", Type: escalate.TargetWebhook, URL: url, Timeout: 5 * time.Second}
}

func escalateRoute(name string, targets ...string) escalate.Route {
	return escalate.Route{Name: name, Chain: []escalate.Level{{Targets: targets}}}
}
