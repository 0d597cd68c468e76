package correlate

import (
	"slices"

	"github.com/vigil-soc/vigil/event"
)

// Threshold, entity and risk rules share one engine: per key, overlapping
// event-time windows of length Window that start every Hop, aligned to the
// Unix epoch (so a window's bounds do not depend on arrival order). Each
// alert is added to the Window/Hop windows that contain it: O(Window/Hop)
// per alert. A window fires once its condition holds; the incident it fires
// into absorbs every alert of the window and every later alert of any fired
// window. A window that fires while the key's incident still covers it (its
// start is not after the end of the incident's last fired window) joins that
// incident, so a burst that straddles window bounds is one incident.

// window is one open event-time window of one key.
type window struct {
	start, end int64
	weight     int64 // threshold: Σ Alert.Count; risk: Σ RiskScore
	alerts     int
	maxSev     event.Severity
	distinct   map[string]struct{} // threshold with distinct; entity: detection ids
	entries    []*winEntry         // capped at MaxAlertsPerIncident
	inc        *incState           // set once the window fired
}

// winEntry is one alert of one key, shared by the key's windows that hold it
// so that an alert joins the incident once.
type winEntry struct {
	rec      *alertRec
	attached bool
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (c *Correlator) winAdd(ks *keyState, a *alertRec) {
	r := ks.rule
	if r.SuppressIfCovered && c.isCovered(ks, a) {
		c.m.covered.Inc()
		return
	}
	hop, span := int64(r.Hop), int64(r.Window)
	last := floorDiv(a.t, hop) * hop
	e := &winEntry{rec: a}
	for s := last - span + hop; s <= last; s += hop {
		w := c.windowAt(ks, s, s+span)
		c.addToWindow(r, w, e)
		switch {
		case w.inc != nil:
			if !e.attached {
				e.attached = true
				c.attach(w.inc, ks, a)
			}
			w.inc.noteMetric(r.windowMetric(w))
		case r.fires(w) && c.firesUncovered(ks, w):
			c.fire(ks, w)
		}
	}
}

// countsWeight reports whether the rule's windows sum Alert.Count, so that a
// suppressed alert re-emitted with a higher count must add the difference.
func countsWeight(r *Rule) bool { return r.Kind == KindThreshold && r.Distinct == "" }

// recount applies a suppressed alert re-emitted with a count delta higher
// than before. Every window of the key that holds the alert was opened when
// it first arrived (windows open only on arrival, and a window's range is
// fixed), so the windows that contain its event time are exactly those that
// hold it: they gain delta, the incident it joined gains delta, and a window
// that delta lifts over the threshold fires. An incident that only gained
// count gets a new version (and is emitted again) when its count doubled
// since its last version or its severity changed.
func (c *Correlator) recount(r *Rule, key string, a *alertRec, delta int) {
	ks := c.keys[stateKey{tenant: a.tenant, rule: r, key: key}]
	if ks != nil {
		c.prune(ks)
		c.touch(ks)
	}
	if ks == nil || len(ks.wins) == 0 {
		c.m.recounts.WithLabelValues("expired").Inc()
		return
	}
	if r.SuppressIfCovered && c.isCovered(ks, a) {
		c.m.covered.Inc()
		return
	}
	var joined []*incState // incidents the alert joined before this update
	var sevs []event.Severity
	applied := false
	for _, w := range ks.wins {
		if a.t < w.start || a.t >= w.end {
			continue
		}
		applied = true
		w.weight += int64(delta)
		for _, e := range w.entries {
			if e.rec.id == a.id {
				e.rec.count = max(e.rec.count, a.count) // what fire attaches
			}
		}
		switch {
		case w.inc != nil:
			if !slices.Contains(joined, w.inc) {
				joined = append(joined, w.inc)
				sevs = append(sevs, w.inc.severity())
			}
			w.inc.noteMetric(r.windowMetric(w))
		case r.fires(w) && c.firesUncovered(ks, w):
			c.fire(ks, w)
		}
	}
	for i, inc := range joined {
		inc.weight += int64(delta)
		if inc.weight >= 2*inc.versionWeight || inc.severity() != sevs[i] {
			inc.recounts++
			inc.versionWeight = inc.weight
			c.markChanged(inc)
		}
	}
	if !applied {
		c.m.recounts.WithLabelValues("expired").Inc()
		return
	}
	c.m.recounts.WithLabelValues("applied").Inc()
}

// windowAt finds or opens the key's window starting at s.
func (c *Correlator) windowAt(ks *keyState, s, end int64) *window {
	i := len(ks.wins)
	for i > 0 && ks.wins[i-1].start >= s {
		i--
	}
	if i < len(ks.wins) && ks.wins[i].start == s {
		return ks.wins[i]
	}
	w := &window{start: s, end: end}
	if needsDistinct(ks.rule) {
		w.distinct = map[string]struct{}{}
	}
	wins := append(ks.wins, nil)
	copy(wins[i+1:], wins[i:])
	wins[i] = w
	c.openWindows++
	c.m.openWindows.Inc()
	ks.wins = wins
	return w
}

func needsDistinct(r *Rule) bool {
	return r.Kind == KindEntity || (r.Kind == KindThreshold && r.Distinct != "") ||
		(r.Kind == KindRisk && r.MinDetections > 1)
}

// distinctNeeded is the distinct count the rule's condition asks for.
func distinctNeeded(r *Rule) int {
	switch {
	case !needsDistinct(r):
		return 0
	case r.Kind == KindThreshold:
		return r.Threshold
	default:
		return r.MinDetections
	}
}

func distinctPart(r *Rule) string {
	if r.Kind == KindEntity || r.Kind == KindRisk {
		return DistinctDetection
	}
	return r.Distinct
}

func (c *Correlator) addToWindow(r *Rule, w *window, e *winEntry) {
	a := e.rec
	w.alerts++
	w.maxSev = max(w.maxSev, a.severity)
	switch r.Kind {
	case KindRisk:
		w.weight += int64(a.risk)
	default:
		w.weight += int64(a.count)
	}
	if w.distinct != nil && len(w.distinct) < c.cfg.MaxDistinct {
		a.forEachValue(distinctPart(r), func(v string) bool {
			w.distinct[v] = struct{}{}
			return len(w.distinct) < c.cfg.MaxDistinct
		})
	}
	if w.inc == nil && len(w.entries) < c.cfg.MaxAlertsPerIncident {
		w.entries = append(w.entries, e)
	}
}

// windowMetric is the number the rule's threshold compares.
func (r *Rule) windowMetric(w *window) int64 {
	switch {
	case r.Kind == KindEntity:
		return int64(w.alerts)
	case r.Kind == KindThreshold && r.Distinct != "":
		return int64(len(w.distinct))
	default:
		return w.weight
	}
}

func (r *Rule) fires(w *window) bool {
	if w.maxSev < r.MinPeakSeverity {
		return false
	}
	switch r.Kind {
	case KindEntity:
		return w.alerts >= r.MinAlerts && len(w.distinct) >= r.MinDetections
	case KindRisk:
		if r.MinDetections > 1 && len(w.distinct) < r.MinDetections {
			return false
		}
	}
	return r.windowMetric(w) >= int64(r.Threshold)
}

// firesUncovered re-checks a roll-up window that fires without the alerts a
// story of the same key took over after they joined the window.
func (c *Correlator) firesUncovered(ks *keyState, w *window) bool {
	r := ks.rule
	if !r.SuppressIfCovered || c.covered[coverKey{ks.tenant, ks.key}] == nil {
		return true
	}
	tmp := &window{start: w.start, end: w.end}
	if w.distinct != nil {
		tmp.distinct = map[string]struct{}{}
	}
	for _, e := range w.entries {
		if !c.isCovered(ks, e.rec) {
			c.addToWindow(r, tmp, e)
		}
	}
	return r.fires(tmp)
}

// fire turns the window into (part of) an incident.
func (c *Correlator) fire(ks *keyState, w *window) {
	inc := ks.inc
	if inc == nil || w.start > inc.coverEnd {
		inc = c.newIncident(ks, w.start)
		ks.inc = inc
	}
	w.inc = inc
	for _, e := range w.entries {
		if !e.attached && ks.rule.SuppressIfCovered && c.isCovered(ks, e.rec) {
			e.attached = true // a story of the key holds it since it joined
			continue
		}
		if !e.attached {
			e.attached = true
			c.attach(inc, ks, e.rec)
		}
	}
	w.entries = nil
	inc.coverEnd = max(inc.coverEnd, w.end)
	inc.retainUntil = max(inc.retainUntil, inc.coverEnd+int64(ks.rule.Window))
	inc.noteMetric(ks.rule.windowMetric(w))
}
