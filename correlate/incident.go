package correlate

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// incState is an incident being built for one key.
type incState struct {
	id          string
	ks          *keyState
	windowStart int64
	coverEnd    int64 // alerts up to here (event time) join without a new window firing
	retainUntil int64 // kept for late alerts until the watermark passes this
	createdAt   time.Time

	first, last int64
	alerts      int // alerts joined
	recounts    int // count updates of joined alerts; Version is alerts + recounts
	// versionWeight is the weight at the last version change: a count
	// update makes a new version only once the weight doubled since, so
	// that a long burst folded into one alert updates the incident a
	// logarithmic number of times, not once per batch. It moves with the
	// version, not with emissions, so versions do not depend on batching.
	versionWeight int64
	weight        int64 // Σ Alert.Count
	risk          int
	confSum       int
	maxSev        event.Severity
	maxMetric     int64 // highest window metric of a fired window
	truncated     int   // alerts joined but not listed (cap)

	alertIDs   []string
	eventIDs   []string
	entities   []event.Entity // sorted, unique, capped
	tactics    []string
	techniques []string
	detections []string
	distinct   map[string]struct{}

	dirty   bool
	emitted bool
	// setsOut holds the sorted sets as last emitted; nil once one changed.
	// Emitted incidents share them, so an unchanged set is not copied.
	setsOut *incSets
}

type incSets struct {
	entities                        []event.Entity
	tactics, techniques, detections []string
}

func (inc *incState) sets() *incSets {
	if inc.setsOut == nil {
		inc.setsOut = &incSets{
			entities:   slices.Clip(slices.Clone(inc.entities)),
			tactics:    slices.Clip(slices.Clone(inc.tactics)),
			techniques: slices.Clip(slices.Clone(inc.techniques)),
			detections: slices.Clip(slices.Clone(inc.detections)),
		}
	}
	return inc.setsOut
}

// addSorted inserts v into *s and forgets the emitted sets if it was new.
func addSorted[T any](inc *incState, s *[]T, v T, capN int, cmp func(a, b T) int) {
	n := len(*s)
	*s = insertSorted(*s, v, capN, cmp)
	if len(*s) != n {
		inc.setsOut = nil
	}
}

func formatTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// IncidentID is the deterministic id of the incident a rule raises for a
// key: the same tenant, rule, key and window start always give the same id.
func IncidentID(tenant, rule, key string, windowStart time.Time) string {
	return event.StableID("inc-", tenant, rule, key, windowStart.UTC().Format(time.RFC3339Nano))
}

func (c *Correlator) newIncident(ks *keyState, start int64) *incState {
	inc := &incState{
		id:          IncidentID(ks.tenant, ks.rule.ID, ks.key, time.Unix(0, start)),
		ks:          ks,
		windowStart: start,
		createdAt:   c.cfg.Now().UTC(),
		first:       math.MaxInt64,
		last:        math.MinInt64,
	}
	if ks.rule.Kind == KindThreshold && ks.rule.Distinct != "" {
		inc.distinct = map[string]struct{}{}
	}
	return inc
}

// noteMetric records a fired window's metric; it only changes together with
// an alert joining, which marks the incident changed.
func (inc *incState) noteMetric(v int64) { inc.maxMetric = max(inc.maxMetric, v) }

// attach adds one alert to the incident. Callers guarantee an alert joins an
// incident once.
func (c *Correlator) attach(inc *incState, ks *keyState, a *alertRec) {
	inc.alerts++
	inc.weight += int64(a.count)
	inc.versionWeight = inc.weight
	inc.risk += a.risk
	inc.confSum += a.confidence
	inc.maxSev = max(inc.maxSev, a.severity)
	inc.first = min(inc.first, a.t)
	inc.last = max(inc.last, a.t)
	capN := c.cfg.MaxAlertsPerIncident
	if len(inc.alertIDs) < capN {
		inc.alertIDs = append(inc.alertIDs, a.id)
	} else {
		inc.truncated++
		c.m.truncated.Inc()
	}
	for _, id := range a.eventIDs {
		if len(inc.eventIDs) >= capN {
			break
		}
		inc.eventIDs = append(inc.eventIDs, id)
	}
	capE := c.cfg.MaxEntities
	for _, e := range a.entities {
		addSorted(inc, &inc.entities, e, capE, cmpEntity)
	}
	for _, t := range a.tactics {
		addSorted(inc, &inc.tactics, t, capE, strings.Compare)
	}
	for _, t := range a.techniques {
		addSorted(inc, &inc.techniques, t, capE, strings.Compare)
	}
	addSorted(inc, &inc.detections, a.detection, capE, strings.Compare)
	if ks.rule.isStory() {
		c.cover(ks, a)
	}
	if inc.distinct != nil && len(inc.distinct) < c.cfg.MaxDistinct {
		a.forEachValue(ks.rule.Distinct, func(v string) bool {
			inc.distinct[v] = struct{}{}
			return len(inc.distinct) < c.cfg.MaxDistinct
		})
	}
	c.markChanged(inc)
}

// markChanged queues inc for the next flush.
func (c *Correlator) markChanged(inc *incState) {
	if !inc.dirty {
		inc.dirty = true
		c.changed = append(c.changed, inc)
	}
}

func cmpEntity(a, b event.Entity) int {
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

func insertSorted[T any](s []T, v T, capN int, cmp func(a, b T) int) []T {
	i, found := slices.BinarySearchFunc(s, v, cmp)
	if found || len(s) >= capN {
		return s
	}
	return slices.Insert(s, i, v)
}

// flush returns the incidents changed since the last flush.
func (c *Correlator) flush() []event.Incident {
	if len(c.changed) == 0 {
		return nil
	}
	out := make([]event.Incident, 0, len(c.changed))
	now := c.cfg.Now().UTC()
	for _, inc := range c.changed {
		inc.dirty = false
		out = append(out, c.build(inc, now))
		kind := string(inc.ks.rule.Kind)
		if inc.emitted {
			c.m.updated.WithLabelValues(kind).Inc()
		} else {
			c.m.created.WithLabelValues(kind).Inc()
			inc.emitted = true
		}
	}
	clear(c.changed)
	c.changed = c.changed[:0]
	return out
}

// severity: the rule's floor or the highest alert severity, whichever is
// higher, raised one level when the finding is stronger than the rule asks
// (see raised), capped at the rule's max_severity.
func (inc *incState) severity() event.Severity {
	r := inc.ks.rule
	s := max(r.Severity, inc.maxSev)
	if inc.raised() {
		s++
	}
	return min(s, r.MaxSeverity, event.SeverityCritical)
}

// raised reports whether the incident's severity goes up a level: a
// sequence that completed, a threshold or risk sum reached twice over, an
// entity incident spanning three or more tactics.
func (inc *incState) raised() bool {
	r := inc.ks.rule
	switch r.Kind {
	case KindSequence:
		return true
	case KindThreshold, KindRisk:
		return inc.maxMetric >= 2*int64(r.Threshold)
	case KindEntity:
		return len(inc.tactics) >= 3
	}
	return false
}

// confidence: the rule's confidence, with the alerts' mean confidence
// closing up to half of the remaining gap to 100.
func (inc *incState) confidence() int {
	rc := inc.ks.rule.Confidence
	if inc.alerts == 0 {
		return rc
	}
	mean := float64(inc.confSum) / float64(inc.alerts)
	v := float64(rc) + float64(100-rc)*mean/200
	return min(100, int(math.Round(v)))
}

func (c *Correlator) build(inc *incState, now time.Time) event.Incident {
	ks := inc.ks
	r := ks.rule
	sets := inc.sets()
	return event.Incident{
		ID:         inc.id,
		Tenant:     ks.tenant,
		Title:      inc.title(),
		Summary:    inc.summary(),
		Severity:   inc.severity(),
		Confidence: inc.confidence(),
		RiskScore:  min(100, inc.risk),
		Status:     event.StatusCandidate,
		Rule:       r.ID,
		Kind:       string(r.Kind),
		Key:        ks.key,
		FirstSeen:  time.Unix(0, inc.first).UTC(),
		LastSeen:   time.Unix(0, inc.last).UTC(),
		// The slices are shared with later emissions of the incident:
		// copies of sets that have not changed since, and the prefix of the
		// append-only id lists (capacity cut so that later appends stay
		// invisible). Receivers must not modify them.
		Entities:     sets.entities,
		Tactics:      sets.tactics,
		Techniques:   sets.techniques,
		DetectionIDs: sets.detections,
		AlertIDs:     inc.alertIDs[:len(inc.alertIDs):len(inc.alertIDs)],
		EventIDs:     inc.eventIDs[:len(inc.eventIDs):len(inc.eventIDs)],
		CreatedAt:    inc.createdAt,
		UpdatedAt:    now,
		Version:      uint64(inc.alerts + inc.recounts),
	}
}

func (inc *incState) titleData() TitleData {
	ks := inc.ks
	return TitleData{
		Rule: ks.rule.ID, Tenant: ks.tenant, Key: ks.key, Group: parseKey(ks.key),
		Count: int(inc.weight), Distinct: len(inc.distinct), Risk: inc.risk,
	}
}

func (inc *incState) title() string {
	r := inc.ks.rule
	if r.title != nil {
		var b strings.Builder
		if err := r.title.Execute(&b, inc.titleData()); err == nil {
			return b.String()
		}
	}
	return r.ID + " " + inc.ks.key
}

// summary says in a few sentences what happened: the rule, the key, the
// counts, the time range, the entities and the techniques.
func (inc *incState) summary() string {
	ks := inc.ks
	r := ks.rule
	var b strings.Builder
	span := time.Duration(inc.last - inc.first)
	switch r.Kind {
	case KindThreshold:
		if r.Distinct != "" {
			fmt.Fprintf(&b, "%d distinct %s values (threshold %d) in alerts for %s within %s.",
				len(inc.distinct), r.Distinct, r.Threshold, ks.key, r.Window)
		} else {
			fmt.Fprintf(&b, "%d matching findings (threshold %d) for %s within %s.",
				inc.weight, r.Threshold, ks.key, r.Window)
		}
	case KindSequence:
		names := make([]string, len(r.Steps))
		for i, s := range r.Steps {
			names[i] = s.Name
		}
		fmt.Fprintf(&b, "Sequence %s completed for %s within %s.",
			strings.Join(names, " → "), ks.key, r.Span)
	case KindEntity:
		fmt.Fprintf(&b, "%d alerts from %d detections share %s within %s.",
			inc.alerts, len(inc.detections), ks.key, r.Window)
	case KindRisk:
		fmt.Fprintf(&b, "Risk score sum %d (threshold %d) for %s within %s.",
			inc.risk, r.Threshold, ks.key, r.Window)
	}
	fmt.Fprintf(&b, " %d alerts", inc.alerts)
	if inc.truncated > 0 {
		fmt.Fprintf(&b, " (%d listed)", len(inc.alertIDs))
	}
	fmt.Fprintf(&b, " from %s to %s (%s)", formatTime(inc.first), formatTime(inc.last), span)
	b.WriteString("; detections: ")
	listSome(&b, inc.detections, 5, func(s string) string { return s })
	b.WriteString(". Entities: ")
	listSome(&b, inc.entities, 10, event.Entity.String)
	if len(inc.tactics) > 0 {
		b.WriteString(". Tactics: ")
		listSome(&b, inc.tactics, 10, func(s string) string { return s })
	}
	if len(inc.techniques) > 0 {
		b.WriteString(". Techniques: ")
		listSome(&b, inc.techniques, 10, func(s string) string { return s })
	}
	b.WriteByte('.')
	return b.String()
}

// listSome writes the first n items, comma-separated, and how many more.
func listSome[T any](b *strings.Builder, s []T, n int, str func(T) string) {
	if len(s) == 0 {
		b.WriteString("none")
		return
	}
	for i, v := range s[:min(n, len(s))] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(str(v))
	}
	if len(s) > n {
		fmt.Fprintf(b, " and %d more", len(s)-n)
	}
}

// coverKey is a (tenant, key) that story and roll-up rules may share.
type coverKey struct{ tenant, key string }

// cover records that the alert is part of a story incident of the key.
func (c *Correlator) cover(ks *keyState, a *alertRec) {
	ck := coverKey{ks.tenant, ks.key}
	ids := c.covered[ck]
	if ids == nil {
		ids = map[string]int64{}
		c.covered[ck] = ids
	}
	if _, ok := ids[a.id]; !ok {
		ids[a.id] = a.t
		c.coverN++
	}
}

// isCovered reports whether the alert is part of a story incident with the
// roll-up's tenant and key.
func (c *Correlator) isCovered(ks *keyState, a *alertRec) bool {
	_, ok := c.covered[coverKey{ks.tenant, ks.key}][a.id]
	return ok
}

// sweepCovered forgets covered alerts older than horizon: a redelivery of
// one is late and cannot open a roll-up window any more.
func (c *Correlator) sweepCovered(horizon int64) {
	for ck, ids := range c.covered {
		for id, t := range ids {
			if t < horizon {
				delete(ids, id)
				c.coverN--
			}
		}
		if len(ids) == 0 {
			delete(c.covered, ck)
		}
	}
}
