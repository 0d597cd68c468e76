// Package detect evaluates vigil's Rego detections against normalized
// events and turns their findings into alerts.
//
// All detections are compiled once into one policy set. Besides the
// modules as written, the set holds a generated package whose single
// partial set rule carries the body of every detection's finding rule, so
// that one query, compiled once per set, evaluates every detection for an
// event and OPA's rule index discards the rule bodies an event cannot
// satisfy. Before that, a prefilter reads from the event struct whether any
// rule's literal tests of indexed ECS fields (event.code == "4688",
// event.action in {...}) hold, together with the other conditions of the
// rule bodies it can compute in Go (string tests of fields and of values
// computed from them, lookups in the policy data, the definitions of the
// helpers a body calls; see prefiltercheck.go): an event for which no
// rule's tests all hold is not evaluated at all, nineteen events in twenty
// of a realistic stream with 50 of the library's detections. (When a rule
// has no such test, OPA's index is asked with the event itself instead,
// through eventResolver.) The others get their input built as an AST value
// straight from the event.Event struct,
// with only the paths the policies read, and are evaluated by OPA's
// evaluator with the policy data and rule results cached per goroutine.
//
// A policy set is immutable. Reload builds a new one, runs the policy tests
// and fixtures against it, and swaps it in atomically; each Detect call uses
// exactly one set.
package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sourcegraph/conc/pool"

	"github.com/vigil-soc/vigil/event"
)

// Engine evaluates detections. It is safe for concurrent use.
type Engine struct {
	cfg     Config
	logger  *slog.Logger
	metrics *metrics

	set      atomic.Pointer[policySet]
	reloadMu sync.Mutex
	sup      *suppressor
}

// New loads, compiles and tests the policies and returns a ready engine.
func New(ctx context.Context, cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Engine, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("validate detect config: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		cfg:     cfg,
		logger:  logger,
		metrics: newMetrics(reg),
		sup:     newSuppressor(cfg.SuppressWindow),
	}
	set, err := e.build(ctx)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	e.set.Store(set)
	e.metrics.retain(nil, set.dets)
	logger.Info("policies loaded", "version", set.version, "detections", len(set.dets))
	e.warnUnindexed(set)
	return e, nil
}

// build reads, compiles and (unless disabled) tests a new policy set.
func (e *Engine) build(ctx context.Context) (*policySet, error) {
	src, err := newSource(e.cfg.PolicyDir, e.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	f, err := readFiles(src)
	if err != nil {
		return nil, err
	}
	set, err := compileSet(ctx, src.label, f, e.cfg.DefaultBudget)
	if err != nil {
		return nil, err
	}
	if e.cfg.SkipTests {
		return set, nil
	}
	rep, err := runRegoTests(ctx, src.label, f)
	if err != nil {
		return nil, err
	}
	rep.Fixtures = e.runFixtures(ctx, set)
	if fails := rep.failures(); len(fails) > 0 {
		return nil, errors.New(strings.Join(fails, "\n"))
	}
	return set, nil
}

// Reload compiles the policies and data again, runs their tests and, only if
// all of that succeeds, replaces the loaded set. On failure the old set
// stays and the error names file:line: message for each problem.
func (e *Engine) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	set, err := e.build(ctx)
	if err != nil {
		e.metrics.reloads.WithLabelValues("failure").Inc()
		e.logger.Error("policy reload rejected, keeping the loaded set", "version", e.Version(), "err", err)
		return fmt.Errorf("reload policies: %w", err)
	}
	old := e.set.Swap(set)
	e.metrics.reloads.WithLabelValues("success").Inc()
	e.metrics.retain(old.dets, set.dets)
	e.logger.Info("policies reloaded", "old_version", old.version, "version", set.version, "detections", len(set.dets))
	e.warnUnindexed(set)
	return nil
}

// warnUnindexed logs the detections whose finding rule OPA's index selects
// for every event (vigil policy lint names the rules).
func (e *Engine) warnUnindexed(set *policySet) {
	if ids := set.unindexedDetections(); len(ids) > 0 {
		e.logger.Warn("detections without an indexable condition run for every event", "detections", ids)
	}
	if ids := set.unprefilteredDetections(); len(ids) > 0 {
		e.logger.Warn("detections without a literal test of an ECS field turn the prefilter off: every event goes through OPA's rule index",
			"detections", ids)
	}
}

// Watch polls PolicyDir and DataDir every Reload.Interval and reloads when a
// file changed. It returns when ctx ends. With embedded policies and no
// DataDir there is nothing to watch and it only waits.
func (e *Engine) Watch(ctx context.Context) error {
	dirs := []string{e.cfg.PolicyDir, e.cfg.DataDir}
	if (dirs[0] == "" && dirs[1] == "") || e.cfg.Reload.Interval < 0 {
		<-ctx.Done()
		return nil
	}
	last := fingerprint(dirs...)
	t := time.NewTicker(e.cfg.Reload.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		fp := fingerprint(dirs...)
		if fp == last {
			continue
		}
		last = fp
		// Reload logs and counts a rejected set; keep watching.
		_ = e.Reload(ctx)
	}
}

// Version identifies the loaded policies and data (a hash of their files).
func (e *Engine) Version() string { return e.set.Load().version }

// Detections returns the metadata of the loaded detections, sorted by id.
func (e *Engine) Detections() []Detection {
	return append([]Detection(nil), e.set.Load().dets...)
}

// finding is one result of one detection for one event.
type finding struct {
	det      int
	entities []event.Entity
	key      string
	fields   map[string]string
	severity event.Severity
}

// Detect evaluates every detection against every event and returns the
// alerts in input order, then by detection id and entity key, followed by
// the suppressed alerts the call folded findings into, re-emitted with
// their running count (same id; storage keeps the highest count,
// correlation adds the difference). An
// evaluation that exceeds eval_timeout is retried once with ten times the
// timeout; timeouts are counted by result and logged with the event's
// dataset and action. An evaluation error is attributed to the failing
// detections, counted and logged, and the other detections' findings for
// that event are kept. An error is returned only when ctx ends.
func (e *Engine) Detect(ctx context.Context, events []event.Event) ([]event.Alert, error) {
	if len(events) == 0 {
		return nil, nil
	}
	set := e.set.Load()
	results := make([][]finding, len(events))
	workers := min(e.cfg.Workers, len(events))
	evalRange := func(start, end int) {
		ev := e.newEvaluator(ctx, set)
		defer ev.close()
		for i := start; i < end && ctx.Err() == nil; i++ {
			results[i] = ev.eval(&events[i])
		}
	}
	if workers <= 1 {
		evalRange(0, len(events))
	} else {
		p := pool.New().WithMaxGoroutines(workers)
		chunk := (len(events) + workers - 1) / workers
		for start := 0; start < len(events); start += chunk {
			end := min(start+chunk, len(events))
			p.Go(func() { evalRange(start, end) })
		}
		p.Wait()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	e.metrics.events.Add(float64(len(events)))
	counters := e.metrics.countersOf(set)
	for _, c := range counters.evaluations {
		c.Add(float64(len(events)))
	}
	now := e.cfg.Now()
	if e.cfg.SuppressWindow >= 0 {
		e.sup.observe(events, now)
	}
	var alerts []event.Alert
	for i := range events {
		for _, f := range results[i] {
			d := &set.dets[f.det]
			counters.matches[f.det].Inc()
			a := newAlert(set, d, &events[i], f, now)
			if d.Signal || e.cfg.SuppressWindow < 0 {
				alerts = append(alerts, a)
				continue
			}
			if out, ok := e.sup.add(a, f.key, streamOf(events[i].Origin), now); ok {
				alerts = append(alerts, out)
			} else {
				e.metrics.suppressed.Inc()
			}
		}
	}
	// Folded findings go out with the batch that folded them, as the
	// alert's running count under its first id: a correlation threshold
	// over counts fires with the events that cross it, in event-time order
	// with the rest of the stream.
	return append(alerts, e.sup.takePending()...), nil
}

// Flush forgets the suppression windows ended by now and returns, with
// their running Count and the id they were first emitted with, the
// suppressed alerts that folded findings since they were last emitted (Detect
// returns those with its batch, so this is a safety net for callers that
// share an Engine). Callers call it every few seconds.
func (e *Engine) Flush(now time.Time) []event.Alert {
	alerts := e.sup.flush(now)
	open, evicted := e.sup.stats()
	e.metrics.openAlerts.Set(float64(open))
	if evicted > 0 {
		e.metrics.evicted.Add(float64(evicted))
		e.logger.Warn("too many open suppressed alerts; the oldest were forgotten", "evicted", evicted, "open", open)
	}
	return alerts
}

func sortFindings(set *policySet, fs []finding) {
	if len(fs) < 2 {
		return
	}
	sort.Slice(fs, func(i, j int) bool {
		a, b := set.dets[fs[i].det].ID, set.dets[fs[j].det].ID
		if a != b {
			return a < b
		}
		return fs[i].key < fs[j].key
	})
}

// makeFinding reads the object a finding rule produced. Entities default to
// the event's user.name, host.name, source.ip and cloud.account.id; the
// finding's "entities" object overrides or adds kinds (a value may be a
// string or an array of strings; empty strings are dropped).
//
// Its strings are copies: an event's strings may be slices of its whole
// record text, and alerts outlive events in suppression and correlation
// windows, where a slice would keep each record alive.
func makeFinding(det int, ev *event.Event, v any) finding {
	f := finding{det: det}
	ents := map[event.EntityKind][]string{}
	set := func(k event.EntityKind, vals ...string) {
		var keep []string
		for _, s := range vals {
			if s != "" {
				keep = append(keep, strings.Clone(s))
			}
		}
		ents[k] = keep
	}
	set(event.EntityUser, ev.User.Name)
	host := ev.Host.Name
	if host == "" {
		host = ev.Host.Hostname
	}
	set(event.EntityHost, host)
	set(event.EntityIP, ev.Source.IP)
	set(event.EntityCloudAccount, ev.Cloud.Account.ID)

	obj, _ := v.(map[string]any)
	if m, ok := obj["entities"].(map[string]any); ok {
		for k, x := range m {
			switch y := x.(type) {
			case string:
				set(event.EntityKind(k), y)
			case []any:
				var vals []string
				for _, z := range y {
					vals = append(vals, stringify(z))
				}
				set(event.EntityKind(k), vals...)
			default:
				set(event.EntityKind(k), stringify(y))
			}
		}
	}
	if m, ok := obj["fields"].(map[string]any); ok && len(m) > 0 {
		f.fields = make(map[string]string, len(m))
		for k, x := range m {
			f.fields[strings.Clone(k)] = strings.Clone(stringify(x))
		}
	}
	if s, ok := obj["severity"].(string); ok {
		f.severity, _ = event.ParseSeverity(s)
	}
	for k, vals := range ents {
		for _, s := range vals {
			f.entities = append(f.entities, event.Entity{Kind: k, Value: s})
		}
	}
	sort.Slice(f.entities, func(i, j int) bool {
		if f.entities[i].Kind != f.entities[j].Kind {
			return f.entities[i].Kind < f.entities[j].Kind
		}
		return f.entities[i].Value < f.entities[j].Value
	})
	parts := make([]string, 0, len(f.entities))
	for _, en := range f.entities {
		parts = append(parts, en.String())
	}
	f.key = strings.Join(parts, "|")
	if k, ok := obj["key"].(string); ok && k != "" {
		f.key = strings.Clone(k)
	}
	return f
}

func stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// newAlert builds the alert for one finding (Count 1). Signals get an id
// from detection, event and entities; other alerts get theirs from the
// suppressor.
func newAlert(set *policySet, d *Detection, ev *event.Event, f finding, now time.Time) event.Alert {
	sev := d.Severity
	if f.severity != event.SeverityUnknown {
		sev = f.severity
	}
	a := event.Alert{
		Tenant:        strings.Clone(ev.Tenant()),
		DetectionID:   d.ID,
		Title:         d.Title,
		Description:   d.Description,
		Severity:      sev,
		Confidence:    d.Confidence,
		RiskScore:     d.RiskScore,
		Tactics:       d.Tactics,
		Techniques:    d.Techniques,
		Entities:      f.entities,
		Fields:        f.fields,
		EventIDs:      []string{ev.Event.ID},
		Origins:       []event.Origin{ev.Origin},
		Dataset:       ev.Event.Dataset,
		Timestamp:     ev.Timestamp,
		LastSeen:      ev.Timestamp,
		Count:         1,
		Signal:        d.Signal,
		PolicyVersion: set.version,
		DetectedAt:    now,
	}
	a.ID = event.StableID("al-", d.ID, ev.Tenant(), ev.Event.ID, f.key)
	return a
}
