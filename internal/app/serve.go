package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sourcegraph/conc"

	"github.com/vigil-soc/vigil/api"
	"github.com/vigil-soc/vigil/correlate"
	"github.com/vigil-soc/vigil/detect"
	"github.com/vigil-soc/vigil/escalate"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest"
	"github.com/vigil-soc/vigil/ingest/parse"
	"github.com/vigil-soc/vigil/internal/kafkagroup"
	"github.com/vigil-soc/vigil/storage"
)

// Serve loads the configuration and runs the pipeline until ctx ends.
func Serve(ctx context.Context, configPath string, logOut io.Writer) error {
	cfg, err := LoadConfig(configPath)
	if err != nil {
		return err
	}
	logger := NewLogger(cfg.Log, logOut)
	applyRuntime(cfg.Runtime, logger)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	svc, err := Start(ctx, cfg, logger, reg)
	if err != nil {
		return err
	}
	// SIGHUP reloads the detections (as a change to the policy directory
	// does), the correlation rules directory and the auto-confirmation
	// policy file; a bad one is rejected and the running one stays.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-svc.done:
				return
			case <-hup:
				if err := svc.ReloadPolicies(ctx); err != nil {
					logger.Error("policy reload rejected; the running policies stay", "err", err)
				}
			}
		}
	}()
	return svc.Wait()
}

// ReloadPolicies compiles and tests the detections again, loads the
// correlation rules when they come from a directory (correlate.rules_dir)
// and the auto-confirmation policy when it comes from a file
// (escalate.policy_file); each is swapped in only when it passes, so a bad
// one leaves the running one in place. The error names every rejected file.
func (s *Service) ReloadPolicies(ctx context.Context) error { return s.reload(ctx) }

// reloader reloads the detections, the correlation rules when they come
// from a directory (correlate.rules_dir) and the auto-confirmation policy
// when it comes from a file; one failing does not stop the others.
func (b *built) reloader(cfg *Config, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		var errs []error
		if err := b.engine.Reload(ctx); err != nil {
			errs = append(errs, fmt.Errorf("detections: %w", err))
		}
		if dir := cfg.Correlate.RulesDir; dir != "" {
			if err := b.reloadCorrelation(dir, logger); err != nil {
				errs = append(errs, fmt.Errorf("correlation rules: %w", err))
			}
		}
		if policyFile := cfg.Escalate.PolicyFile; policyFile != "" {
			p, err := escalate.LoadPolicy(ctx, policyFile)
			if err != nil {
				errs = append(errs, fmt.Errorf("auto-confirmation policy: %w", err))
			} else {
				b.manager.SetPolicy(p)
			}
		}
		return errors.Join(errs...)
	}
}

// reloadCorrelation loads the rules of dir and, when they changed, routes
// new alerts by them and restarts correlation with them. A rule added or
// changed counts the alerts published from now on; unchanged rules keep
// their windows (rebuilt from the replayed lookback).
func (b *built) reloadCorrelation(dir string, logger *slog.Logger) error {
	rules, err := loadCorrelationRules(dir)
	if err != nil {
		return err
	}
	changed, err := b.correlation.SetRules(rules)
	if err != nil || !changed {
		return err
	}
	b.publisher.SetRules(rules)
	logger.Info("correlation rules reloaded", "dir", dir, "rules", len(rules))
	return nil
}

// NewLogger builds the root logger; every component gets a child with its
// name under "component".
func NewLogger(cfg LogConfig, w io.Writer) *slog.Logger {
	level, _ := parseLevel(cfg.Level)
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Service is a running pipeline.
type Service struct {
	// Addr is the address the HTTP server listens on (useful with port 0).
	Addr  string
	Store *storage.Store

	reload func(context.Context) error
	done   chan struct{}
	err    error
}

// Wait blocks until the service has stopped and returns why it stopped
// (nil after a clean shutdown).
func (s *Service) Wait() error {
	<-s.done
	return s.err
}

// Start builds every stage and starts it; the pipeline runs until ctx ends
// and then shuts down in this order:
//
//  1. stop ingest: no new fetches; in-flight batches drain through the
//     pipeline (events and alerts stored, correlation records
//     acknowledged) and their offsets are committed;
//  2. flush the detection suppression state (final alert counts);
//  3. stop correlation the same way: in-flight batches reach the lifecycle
//     manager and storage, then offsets are committed;
//  4. stop the escalation dispatcher: sends in flight finish, the rest stay
//     pending in the outbox for the next start;
//  5. stop the HTTP server (API, health, metrics);
//  6. close the Kafka writers and the store (pending batches are flushed).
func Start(ctx context.Context, cfg *Config, logger *slog.Logger, reg *prometheus.Registry) (*Service, error) {
	b, err := build(ctx, cfg, logger, reg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		b.close()
		return nil, fmt.Errorf("listen on %s (server.listen): %w", cfg.Server.Listen, err)
	}
	svc := &Service{Addr: ln.Addr().String(), Store: b.store, reload: b.reloader(cfg, logger.With("component", "correlate")), done: make(chan struct{})}
	srv := &http.Server{Handler: b.handler(cfg, reg), ReadHeaderTimeout: 10 * time.Second}

	ingestCtx, stopIngest := context.WithCancel(context.WithoutCancel(ctx))
	correlateCtx, stopCorrelate := context.WithCancel(context.WithoutCancel(ctx))
	dispatchCtx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))

	var errsMu sync.Mutex
	var errs []error
	fail := func(stage string, err error) {
		if err == nil || errors.Is(err, context.Canceled) {
			return
		}
		logger.Error("stage stopped", "stage", stage, "err", err)
		errsMu.Lock()
		errs = append(errs, fmt.Errorf("%s: %w", stage, err))
		errsMu.Unlock()
	}
	// A stage that dies on its own takes the whole service down, in order.
	stopAll := make(chan struct{}, 1)
	trip := func() {
		select {
		case stopAll <- struct{}{}:
		default:
		}
	}

	var ingestWG, correlateWG, dispatchWG, aux conc.WaitGroup
	ingestWG.Go(func() {
		err := b.ingester.Run(ingestCtx)
		if ingestCtx.Err() == nil {
			fail("ingest", err)
			trip()
		}
	})
	correlateWG.Go(func() {
		err := b.correlation.Run(correlateCtx)
		if correlateCtx.Err() == nil {
			fail("correlate", err)
			trip()
		}
	})
	dispatchWG.Go(func() {
		err := b.dispatcher.Run(dispatchCtx)
		if dispatchCtx.Err() == nil {
			fail("escalate", err)
			trip()
		}
	})
	aux.Go(func() {
		if err := b.engine.Watch(watchCtx); watchCtx.Err() == nil {
			fail("detect reload", err)
		}
	})
	aux.Go(func() { b.flushSuppressed(watchCtx, logger) })
	aux.Go(func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			fail("http", err)
			trip()
		}
	})
	logger.Info("vigil running", "listen", svc.Addr, "policy_version", b.engine.Version(), "detections", len(b.engine.Detections()))

	go func() {
		defer close(svc.done)
		select {
		case <-ctx.Done():
		case <-stopAll:
		}
		logger.Info("shutting down")
		stopIngest()
		ingestWG.Wait()
		if alerts := b.engine.Flush(time.Now().Add(365 * 24 * time.Hour)); len(alerts) > 0 {
			flushCtx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
			fail("detect flush", b.pipeline.HandleAlerts(flushCtx, alerts))
			cancel()
		}
		stopCorrelate()
		correlateWG.Wait()
		stopDispatch()
		dispatchWG.Wait()
		stopWatch()
		shutCtx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
		fail("http shutdown", srv.Shutdown(shutCtx))
		cancel()
		aux.Wait()
		fail("close", b.close())
		svc.err = errors.Join(errs...)
		logger.Info("stopped")
	}()
	return svc, nil
}

// built holds the stages of one pipeline.
type built struct {
	store         *storage.Store
	engine        *detect.Engine
	publisher     *correlate.Publisher
	pipeline      *Pipeline
	ingester      *ingest.Ingester
	correlation   *correlation
	manager       *escalate.Manager
	dispatcher    *escalate.Dispatcher
	tokens        []api.Token
	suppressEvery time.Duration
}

func build(ctx context.Context, cfg *Config, logger *slog.Logger, reg prometheus.Registerer) (b *built, err error) {
	b = &built{suppressEvery: 10 * time.Second}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	component := func(name string) *slog.Logger { return logger.With("component", name) }

	if cfg.Kafka.CreateTopics {
		if err := ensureTopics(ctx, cfg); err != nil {
			return b, err
		}
	}
	b.store, err = storage.Open(ctx, cfg.Storage, component("storage"), reg)
	if err != nil {
		return b, fmt.Errorf("open storage: %w", err)
	}
	b.engine, err = detect.New(ctx, cfg.Detect, component("detect"), reg)
	if err != nil {
		return b, fmt.Errorf("load detections: %w", err)
	}
	rules, err := loadCorrelationRules(cfg.Correlate.RulesDir)
	if err != nil {
		return b, err
	}
	cm := correlate.NewMetrics(reg)
	b.publisher, err = correlate.NewPublisher(correlate.PublisherConfig{Brokers: cfg.Correlate.Brokers, Topic: cfg.Correlate.Topic}, rules, component("correlate"), cm)
	if err != nil {
		return b, fmt.Errorf("correlate publisher: %w", err)
	}
	b.pipeline = &Pipeline{Detector: b.engine, Store: b.store, Publisher: b.publisher}
	b.ingester, err = ingest.New(cfg.Ingest, parse.NewRegistry(parseOptions(cfg)...), b.pipeline, component("ingest"), reg)
	if err != nil {
		return b, fmt.Errorf("ingest: %w", err)
	}

	em := escalate.NewMetrics(reg)
	isNotFound := func(err error) bool { return errors.Is(err, storage.ErrNotFound) }
	b.dispatcher, err = escalate.NewDispatcher(cfg.Escalate, b.store, declaredLister(b.store), escalate.DispatcherOptions{Getenv: os.Getenv, Metrics: em, Logger: component("escalate")})
	if err != nil {
		return b, fmt.Errorf("escalate dispatcher: %w", err)
	}
	b.manager, err = escalate.NewManager(ctx, cfg.Escalate, b.store, escalate.Options{IsNotFound: isNotFound, Metrics: em, Logger: component("escalate"),
		OutboxWritten: b.dispatcher.Wake})
	if err != nil {
		return b, fmt.Errorf("escalate: %w", err)
	}
	correlateLogger := component("correlate")
	newRunner := func(rules []correlate.Rule) (*correlate.Runner, error) {
		r, err := correlate.NewRunner(correlate.RunnerConfig{
			Correlator: correlate.Config{
				Rules: rules, Lateness: cfg.Correlate.Lateness, CatchUpGrace: cfg.Correlate.CatchUpGrace,
				MaxKeys: cfg.Correlate.MaxKeys,
				Logger:  correlateLogger, Metrics: cm,
			},
			Brokers:  cfg.Correlate.Brokers,
			Lookback: cfg.Correlate.Lookback,
		}, observeSink{b.manager})
		if err != nil {
			return nil, fmt.Errorf("correlate runner: %w", err)
		}
		return r, nil
	}
	b.correlation, err = newCorrelation(kafkagroup.Config{
		Brokers: cfg.Correlate.Brokers,
		GroupID: cfg.Correlate.GroupID,
		Topics:  []string{cfg.Correlate.Topic},
	}, reg, rules, newRunner)
	if err != nil {
		return b, err
	}
	b.tokens, err = api.LoadTokens(cfg.API.TokensFile, os.Getenv("VIGIL_API_TOKENS"))
	if err != nil {
		return b, fmt.Errorf("api tokens: %w", err)
	}
	return b, nil
}

func parseOptions(cfg *Config) []parse.Option {
	if cfg.Ingest.MaxRecordBytes > 0 {
		return []parse.Option{parse.WithMaxRecordBytes(cfg.Ingest.MaxRecordBytes)}
	}
	return nil
}

func (b *built) handler(cfg *Config, reg *prometheus.Registry) http.Handler {
	apiCfg := cfg.API
	apiCfg.Tokens = b.tokens
	isNotFound := func(err error) bool { return errors.Is(err, storage.ErrNotFound) }
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	h := api.New(apiCfg, api.Deps{
		Reader:     storageReader{b.store},
		Lifecycle:  b.manager,
		Ready:      b.store.Ping,
		IsNotFound: isNotFound,
		Metrics:    metrics,
	}, nil, reg)
	mux := http.NewServeMux()
	mux.Handle("/", h)
	// Prometheus scrapes without a token; the API's own /metrics route
	// keeps requiring one for anything else on the listener.
	mux.Handle("GET /metrics", metrics)
	if cfg.Server.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	}
	return mux
}

// flushSuppressed re-emits suppressed alerts that folded more findings,
// with their running count, every suppressEvery until ctx ends.
func (b *built) flushSuppressed(ctx context.Context, logger *slog.Logger) {
	t := time.NewTicker(b.suppressEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			alerts := b.engine.Flush(now)
			if len(alerts) == 0 {
				continue
			}
			if err := b.pipeline.HandleAlerts(ctx, alerts); err != nil && ctx.Err() == nil {
				logger.Error("store suppressed alerts", "component", "detect", "err", err, "alerts", len(alerts))
			}
		}
	}
}

func (b *built) close() error {
	var errs []error
	if b.dispatcher != nil {
		errs = append(errs, b.dispatcher.Close())
	}
	if b.correlation != nil {
		b.correlation.Close()
	}
	if b.publisher != nil {
		errs = append(errs, b.publisher.Close())
	}
	if b.store != nil {
		errs = append(errs, b.store.Close())
	}
	return errors.Join(errs...)
}

// observeSink adapts the lifecycle manager to correlation's sink.
type observeSink struct{ m *escalate.Manager }

func (s observeSink) Incidents(ctx context.Context, incs []event.Incident) error {
	return s.m.Observe(ctx, incs)
}

// storageReader adapts the store to the API's reader.
type storageReader struct{ s *storage.Store }

func (r storageReader) ListIncidents(ctx context.Context, f api.IncidentFilter) ([]event.Incident, error) {
	return r.s.ListIncidents(ctx, storage.IncidentFilter{Tenant: f.Tenant, Statuses: f.Statuses, MinSeverity: f.MinSeverity, Limit: f.Limit})
}
func (r storageReader) Incident(ctx context.Context, id string) (event.Incident, error) {
	return r.s.Incident(ctx, id)
}
func (r storageReader) Alerts(ctx context.Context, ids []string) ([]event.Alert, error) {
	return r.s.Alerts(ctx, ids)
}
func (r storageReader) Events(ctx context.Context, ids []string) ([]event.Event, error) {
	return r.s.Events(ctx, ids)
}
func (r storageReader) Timeline(ctx context.Context, id string) ([]event.TimelineEntry, error) {
	return r.s.Timeline(ctx, id)
}
func (r storageReader) IncidentVersions(ctx context.Context, id string) ([]event.Incident, error) {
	return r.s.IncidentVersions(ctx, id)
}

func declaredLister(s *storage.Store) escalate.DeclaredLister {
	return func(ctx context.Context) ([]event.Incident, error) {
		return s.DeclaredIncidents(ctx, []event.Status{event.StatusConfirmed, event.StatusContained, event.StatusEradicated, event.StatusRecovered})
	}
}
