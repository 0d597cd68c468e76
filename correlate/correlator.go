package correlate

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// Defaults for Config.
const (
	DefaultLateness             = 2 * time.Minute
	DefaultMaxKeys              = 100_000
	DefaultMaxAlertsPerIncident = 1000
	DefaultMaxEntities          = 256
	DefaultMaxDistinct          = 4096
	DefaultMaxStepAlerts        = 256
	DefaultMaxSkew              = time.Hour
	DefaultMaxDedupe            = 1 << 20
)

// Config configures a Correlator.
type Config struct {
	Rules []Rule
	// Lateness is how far behind the newest event time an alert may be and
	// still be counted: the watermark is the newest event time seen minus
	// Lateness.
	Lateness time.Duration
	// CatchUpGrace holds the watermark back by this much processing time
	// (Now): state the watermark closed is kept, and alerts older than it
	// still counted, until the watermark has been past them this long.
	// Sources are read at different speeds while a backlog is caught up
	// (after an outage, at start-up, in a benchmark): one topic's alerts can
	// trail another's by far more event time than Lateness while arriving
	// only seconds apart. Zero prunes at the watermark at once.
	CatchUpGrace time.Duration
	// MaxKeys caps the (tenant, rule, key) states held; the least recently
	// used one is evicted (vigil_correlate_evictions_total{what="key"}).
	MaxKeys int
	// MaxAlertsPerIncident caps the alert ids and the event ids an incident
	// (and a window) lists; alerts beyond it are counted, not listed.
	MaxAlertsPerIncident int
	// MaxEntities caps the entities (and tactics, techniques, detection ids)
	// an incident lists.
	MaxEntities int
	// MaxDistinct caps a distinct-count set; counts are exact up to it.
	MaxDistinct int
	// MaxStepAlerts caps the alerts a sequence keeps per step and key while
	// it waits for the next step (the oldest go first).
	MaxStepAlerts int
	// MaxSkew: alert times further than this ahead of Now do not move the
	// watermark (a wrong clock at a source must not make everything late).
	MaxSkew time.Duration
	// MaxDedupe caps the remembered (rule, key, alert id) triples used to
	// drop redeliveries.
	MaxDedupe int
	// Now is the processing-time clock for CreatedAt/UpdatedAt.
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics *Metrics // nil: unregistered metrics
}

func (c *Config) setDefaults() {
	if c.Lateness == 0 {
		c.Lateness = DefaultLateness
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = DefaultMaxKeys
	}
	if c.MaxAlertsPerIncident == 0 {
		c.MaxAlertsPerIncident = DefaultMaxAlertsPerIncident
	}
	if c.MaxEntities == 0 {
		c.MaxEntities = DefaultMaxEntities
	}
	if c.MaxDistinct == 0 {
		c.MaxDistinct = DefaultMaxDistinct
	}
	if c.MaxStepAlerts == 0 {
		c.MaxStepAlerts = DefaultMaxStepAlerts
	}
	if c.MaxSkew == 0 {
		c.MaxSkew = DefaultMaxSkew
	}
	if c.MaxDedupe == 0 {
		c.MaxDedupe = DefaultMaxDedupe
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
}

// Validate reports settings that cannot work.
func (c *Config) Validate() error {
	var errs []error
	if c.Lateness < 0 {
		errs = append(errs, fmt.Errorf("lateness must be >= 0, got %s", c.Lateness))
	}
	if c.CatchUpGrace < 0 {
		errs = append(errs, fmt.Errorf("catch_up_grace must be >= 0, got %s", c.CatchUpGrace))
	}
	for name, v := range map[string]int{
		"max_keys": c.MaxKeys, "max_alerts_per_incident": c.MaxAlertsPerIncident,
		"max_entities": c.MaxEntities, "max_distinct": c.MaxDistinct,
		"max_step_alerts": c.MaxStepAlerts, "max_dedupe": c.MaxDedupe,
	} {
		if v < 0 {
			errs = append(errs, fmt.Errorf("%s must be >= 0, got %d", name, v))
		}
	}
	seen := map[string]bool{}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.ID == "" || (r.title == nil && r.Title != "") {
			errs = append(errs, fmt.Errorf("rule %d (%q) was not loaded by LoadRules or ParseRules", i, r.ID))
		}
		if need := distinctNeeded(r); need > 0 && c.MaxDistinct > 0 && need > c.MaxDistinct {
			errs = append(errs, fmt.Errorf("rule %q: threshold %d is above max_distinct %d", r.ID, need, c.MaxDistinct))
		}
		if seen[r.ID] {
			errs = append(errs, fmt.Errorf("rule %q appears twice", r.ID))
		}
		seen[r.ID] = true
	}
	return errors.Join(errs...)
}

// Record is one alert routed to one (rule, key): the unit the Publisher
// writes to the correlate topic and the Runner reads back.
type Record struct {
	Rule  string      `json:"rule"`
	Key   string      `json:"key"`
	Alert event.Alert `json:"alert"`
}

// Correlator turns alerts into candidate incidents. It is safe for
// concurrent use, but its results depend on the order alerts are added, so
// one Correlator should be fed from one ordered stream (one Kafka
// partition).
type Correlator struct {
	cfg   Config
	rules map[string]*Rule
	order []*Rule
	m     *Metrics
	log   *slog.Logger

	mu        sync.Mutex
	keys      map[stateKey]*keyState
	lruHead   *keyState // most recently used
	lruTail   *keyState
	maxEvent  int64
	watermark int64 // in effect: eventWM as it was CatchUpGrace ago
	eventWM   int64 // newest event time minus Lateness
	wmHistory []wmSample
	dedupe    map[uint64]seenAlert
	dedupeMax int
	// covered: (tenant, key) → alert ids (with event time) in story
	// incidents of that key, for roll-up rules with SuppressIfCovered;
	// swept together with the dedupe set.
	covered map[coverKey]map[string]int64
	coverN  int

	changed     []*incState
	openWindows int // for the gauge
	lastLateLog time.Time
	lateSince   int
}

// New returns a Correlator over the rules of cfg.
func New(cfg Config) (*Correlator, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("correlate config: %w", err)
	}
	c := &Correlator{
		cfg:       cfg,
		rules:     make(map[string]*Rule, len(cfg.Rules)),
		m:         cfg.Metrics,
		log:       cfg.Logger,
		keys:      map[stateKey]*keyState{},
		maxEvent:  math.MinInt64,
		watermark: math.MinInt64,
		eventWM:   math.MinInt64,
		dedupe:    map[uint64]seenAlert{},
		dedupeMax: 1024,
		covered:   map[coverKey]map[string]int64{},
	}
	for i := range cfg.Rules {
		r := &c.cfg.Rules[i]
		c.rules[r.ID] = r
	}
	c.order = storiesFirst(c.cfg.Rules)
	return c, nil
}

// Rules returns the rules the Correlator evaluates.
func (c *Correlator) Rules() []Rule { return c.cfg.Rules }

// Watermark returns the current watermark: alerts older than it are late.
// It is the zero time before the first alert.
func (c *Correlator) Watermark() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watermark == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, c.watermark).UTC()
}

// Add evaluates the alerts, in order, against every rule and returns the
// incidents they created or changed, each once, in the order they were
// first touched. The slices of the returned incidents may be shared with
// later results and must not be modified.
func (c *Correlator) Add(ctx context.Context, alerts []event.Alert) []event.Incident {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range alerts {
		if i%256 == 255 && ctx.Err() != nil {
			break
		}
		a := &alerts[i]
		var rec *alertRec
		for _, r := range c.order {
			keys := r.Keys(a)
			if len(keys) == 0 {
				continue
			}
			if rec == nil {
				rec = newAlertRec(a)
			}
			for _, k := range keys {
				c.process(r, k, rec)
			}
		}
		if rec != nil {
			c.observe(rec.t)
		}
	}
	return c.flush()
}

// AddRecords evaluates records already routed to a (rule, key), in order.
// Records naming a rule the Correlator does not have, or whose rule no
// longer gives the alert that key, are counted and skipped.
func (c *Correlator) AddRecords(ctx context.Context, recs []Record) []event.Incident {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range recs {
		if i%256 == 255 && ctx.Err() != nil {
			break
		}
		rc := &recs[i]
		r, ok := c.rules[rc.Rule]
		// A record routed under another definition of its rule (published
		// before a reload changed it) is counted only if the rule still
		// routes the alert to that key.
		if !ok || !slices.Contains(r.Keys(&rc.Alert), rc.Key) {
			c.m.unknownRule.Inc()
			continue
		}
		rec := newAlertRec(&rc.Alert)
		c.process(r, rc.Key, rec)
		c.observe(rec.t)
	}
	return c.flush()
}

// Advance raises the watermark to wm (it never goes back) and drops the
// state of every window and incident that closed. Use it with a wall clock
// when the input is idle, e.g. Advance(now.Add(-lateness - maxDelay)).
func (c *Correlator) Advance(wm time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := wm.UnixNano()
	if n > c.watermark {
		c.watermark = n
		c.eventWM = max(c.eventWM, n)
		c.wmHistory = c.wmHistory[:0]
		if w := n + int64(c.cfg.Lateness); w > c.maxEvent {
			c.maxEvent = w
		}
	}
	for ks := c.lruTail; ks != nil; {
		prev := ks.prev
		c.prune(ks)
		if ks.empty() {
			c.removeKey(ks)
		}
		ks = prev
	}
}

// Close releases the Correlator's share of the gauges; it must not be used
// afterwards.
func (c *Correlator) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m.activeKeys.Sub(float64(len(c.keys)))
	c.m.openWindows.Sub(float64(c.openWindows))
	c.keys = map[stateKey]*keyState{}
	c.lruHead, c.lruTail = nil, nil
	c.openWindows = 0
}

// observe moves the watermark with an admitted alert's event time.
func (c *Correlator) observe(t int64) {
	limit := c.cfg.Now().Add(c.cfg.MaxSkew).UnixNano()
	t = min(t, limit)
	if t > c.maxEvent {
		c.maxEvent = t
		c.eventWM = t - int64(c.cfg.Lateness)
		c.holdWatermark()
	}
}

// wmSample is the event-time watermark at a processing time.
type wmSample struct{ at, wm int64 }

// holdWatermark sets the watermark in effect: eventWM as it was
// CatchUpGrace ago in processing time. Samples are kept one per second.
func (c *Correlator) holdWatermark() {
	if c.cfg.CatchUpGrace <= 0 {
		c.watermark = c.eventWM
		return
	}
	now := c.cfg.Now().UnixNano()
	if n := len(c.wmHistory); n > 0 && now-c.wmHistory[n-1].at < int64(time.Second) {
		c.wmHistory[n-1].wm = c.eventWM
	} else {
		c.wmHistory = append(c.wmHistory, wmSample{at: now, wm: c.eventWM})
	}
	cutoff := now - int64(c.cfg.CatchUpGrace)
	i := 0
	for i < len(c.wmHistory) && c.wmHistory[i].at <= cutoff {
		c.watermark = max(c.watermark, c.wmHistory[i].wm)
		i++
	}
	if i > 0 {
		c.wmHistory = append(c.wmHistory[:0], c.wmHistory[i:]...)
	}
}

func (c *Correlator) process(r *Rule, key string, a *alertRec) {
	c.m.records.Inc()
	h := dedupeHash(r.ID, key, a.id)
	if seen, dup := c.dedupe[h]; dup {
		if a.count > seen.count && countsWeight(r) {
			c.dedupe[h] = seenAlert{t: seen.t, count: a.count}
			c.recount(r, key, a, a.count-seen.count)
			return
		}
		c.m.duplicates.Inc()
		return
	}
	c.remember(h, seenAlert{t: a.t, count: a.count})

	mk := stateKey{tenant: a.tenant, rule: r, key: key}
	ks := c.keys[mk]
	if ks != nil {
		c.prune(ks)
		c.touch(ks)
	}
	if a.t < c.watermark {
		c.late(r, key, ks, a)
		return
	}
	if ks == nil {
		ks = c.newKey(mk, r, a.tenant, key)
	}
	switch r.Kind {
	case KindSequence:
		c.seqAdd(ks, a)
	default:
		c.winAdd(ks, a)
	}
	c.sweepTail()
}

// late handles an alert older than the watermark: it joins the key's open
// incident if there is one, otherwise it is dropped, counted and logged.
func (c *Correlator) late(r *Rule, key string, ks *keyState, a *alertRec) {
	if ks != nil && ks.inc != nil {
		c.m.late.WithLabelValues("attached").Inc()
		c.attach(ks.inc, ks, a)
		return
	}
	c.m.late.WithLabelValues("dropped").Inc()
	now := c.cfg.Now()
	c.lateSince++
	if now.Sub(c.lastLateLog) >= time.Second {
		c.log.Warn("late alert dropped",
			"rule", r.ID, "tenant", a.tenant, "key", key, "alert_id", a.id,
			"event_time", time.Unix(0, a.t).UTC(), "watermark", time.Unix(0, c.watermark).UTC(),
			"dropped_since_last_log", c.lateSince)
		c.lastLateLog = now
		c.lateSince = 0
	}
}

// ---------------------------------------------------------------- dedupe

func dedupeHash(rule, key, id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(rule))
	h.Write([]byte{0})
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return h.Sum64()
}

// seenAlert is what the dedupe set keeps of an admitted (rule, key, alert):
// its event time, for sweeping, and the highest Count admitted, so that a
// suppressed alert re-emitted with a higher count adds only the difference.
type seenAlert struct {
	t     int64
	count int
}

// remember records an admitted (rule, key, alert). Entries older than the
// watermark are swept when the set doubles: a redelivery of such an alert
// is late and can only join an incident, which lists alerts once.
func (c *Correlator) remember(h uint64, seen seenAlert) {
	c.dedupe[h] = seen
	if len(c.dedupe) < c.dedupeMax {
		return
	}
	// Before the first watermark (math.MinInt64, and for CatchUpGrace of
	// processing time after start-up) nothing is old enough to go; the
	// subtraction must not wrap around and sweep everything.
	horizon := int64(math.MinInt64)
	if c.watermark > math.MinInt64+int64(c.cfg.Lateness) {
		horizon = c.watermark - int64(c.cfg.Lateness)
	}
	c.sweepCovered(horizon)
	for k, v := range c.dedupe {
		if v.t < horizon {
			delete(c.dedupe, k)
		}
	}
	if len(c.dedupe) >= c.cfg.MaxDedupe {
		c.m.evictions.WithLabelValues("dedupe").Add(float64(len(c.dedupe)))
		c.log.Warn("dedupe set full, cleared", "entries", len(c.dedupe))
		clear(c.dedupe)
	}
	c.dedupeMax = min(max(1024, 2*len(c.dedupe)), c.cfg.MaxDedupe)
}

// ---------------------------------------------------------------- keys and LRU

// stateKey identifies one (tenant, rule, key).
type stateKey struct {
	tenant string
	rule   *Rule
	key    string
}

// keyState is everything held for one (tenant, rule, key).
type keyState struct {
	mapKey     stateKey
	rule       *Rule
	tenant     string
	key        string
	wins       []*window // threshold, entity, risk: open windows by start
	steps      [][]seqEntry
	inc        *incState // the open incident, if any
	prev, next *keyState // LRU list
}

func (ks *keyState) empty() bool {
	if len(ks.wins) > 0 || ks.inc != nil {
		return false
	}
	for _, s := range ks.steps {
		if len(s) > 0 {
			return false
		}
	}
	return true
}

func (c *Correlator) newKey(mk stateKey, r *Rule, tenant, key string) *keyState {
	if len(c.keys) >= c.cfg.MaxKeys {
		c.evictTail()
	}
	ks := &keyState{mapKey: mk, rule: r, tenant: tenant, key: key}
	if r.Kind == KindSequence {
		ks.steps = make([][]seqEntry, len(r.Steps))
	}
	c.keys[mk] = ks
	c.m.activeKeys.Inc()
	c.pushFront(ks)
	return ks
}

func (c *Correlator) evictTail() {
	ks := c.lruTail
	if ks == nil {
		return
	}
	c.prune(ks)
	if !ks.empty() {
		c.m.evictions.WithLabelValues("key").Inc()
		c.log.Debug("correlation key evicted", "rule", ks.rule.ID, "tenant", ks.tenant, "key", ks.key)
	}
	c.removeKey(ks)
}

// sweepTail drops up to two expired keys from the cold end of the LRU list,
// so that idle keys go away at O(1) amortised cost.
func (c *Correlator) sweepTail() {
	for range 2 {
		ks := c.lruTail
		if ks == nil || ks == c.lruHead {
			return
		}
		c.prune(ks)
		if !ks.empty() {
			return
		}
		c.removeKey(ks)
	}
}

func (c *Correlator) removeKey(ks *keyState) {
	c.setWindows(ks, ks.wins[:0])
	c.unlink(ks)
	delete(c.keys, ks.mapKey)
	c.m.activeKeys.Dec()
}

func (c *Correlator) pushFront(ks *keyState) {
	ks.prev, ks.next = nil, c.lruHead
	if c.lruHead != nil {
		c.lruHead.prev = ks
	}
	c.lruHead = ks
	if c.lruTail == nil {
		c.lruTail = ks
	}
}

func (c *Correlator) unlink(ks *keyState) {
	if ks.prev != nil {
		ks.prev.next = ks.next
	} else {
		c.lruHead = ks.next
	}
	if ks.next != nil {
		ks.next.prev = ks.prev
	} else {
		c.lruTail = ks.prev
	}
	ks.prev, ks.next = nil, nil
}

func (c *Correlator) touch(ks *keyState) {
	if c.lruHead == ks {
		return
	}
	c.unlink(ks)
	c.pushFront(ks)
}

// prune drops what the watermark has closed: windows that ended, sequence
// alerts that can no longer start or join a sequence, and the open incident
// once it can no longer be extended.
func (c *Correlator) prune(ks *keyState) {
	wm := c.watermark
	if len(ks.wins) > 0 && ks.wins[0].end <= wm {
		i := 0
		for i < len(ks.wins) && ks.wins[i].end <= wm {
			i++
		}
		c.setWindows(ks, ks.wins[i:])
	}
	if ks.steps != nil {
		span := int64(ks.rule.Span)
		for i, s := range ks.steps {
			j := 0
			for j < len(s) && s[j].t+span < wm {
				j++
			}
			if j > 0 {
				ks.steps[i] = s[j:]
			}
		}
	}
	if ks.inc != nil && ks.inc.retainUntil < wm {
		ks.inc = nil
	}
}

// setWindows replaces the key's windows, keeping the open-window gauge.
func (c *Correlator) setWindows(ks *keyState, wins []*window) {
	d := len(wins) - len(ks.wins)
	if d != 0 {
		c.openWindows += d
		c.m.openWindows.Add(float64(d))
	}
	if len(wins) == 0 {
		wins = nil
	}
	ks.wins = wins
}

// ---------------------------------------------------------------- alerts

// alertRec is the part of an alert correlation keeps. One is shared by all
// the rules and keys an alert feeds.
type alertRec struct {
	id         string
	tenant     string
	detection  string
	signal     bool
	t          int64
	severity   event.Severity
	confidence int
	risk       int
	count      int
	tactics    []string
	techniques []string
	entities   []event.Entity
	eventIDs   []string
	fields     map[string]string
}

func newAlertRec(a *event.Alert) *alertRec {
	return &alertRec{
		id: a.ID, tenant: a.Tenant, detection: a.DetectionID, signal: a.Signal, t: a.Timestamp.UnixNano(),
		severity: a.Severity, confidence: a.Confidence, risk: a.RiskScore, count: max(1, a.Count),
		tactics: a.Tactics, techniques: a.Techniques, entities: a.Entities,
		eventIDs: a.EventIDs, fields: a.Fields,
	}
}

// forEachValue calls fn for the alert's values of a group_by/distinct part.
func (a *alertRec) forEachValue(part string, fn func(string) bool) {
	forEachValue(a.detection, a.entities, a.fields, part, fn)
}
