package detect

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the engine's Prometheus series. Per-detection series carry
// one label, detection, so their cardinality is the number of detections;
// series of detections removed by a reload are deleted.
//
// Evaluation time is measured per event for the whole set: all detections
// run in one query, so the time of a single detection inside it cannot be
// observed. vigil policy bench (BenchDetections) measures the cost of each
// detection on its own and Engine.Bench publishes it as
// vigil_detect_detection_cost_seconds.
type metrics struct {
	evaluations *prometheus.CounterVec
	matches     *prometheus.CounterVec
	errors      *prometheus.CounterVec
	fallbacks   prometheus.Counter
	cost        *prometheus.GaugeVec
	events      prometheus.Counter
	prefiltered prometheus.Counter
	evalSeconds prometheus.Histogram
	timeouts    *prometheus.CounterVec
	suppressed  prometheus.Counter
	openAlerts  prometheus.Gauge
	evicted     prometheus.Counter
	reloads     *prometheus.CounterVec
	loaded      prometheus.Gauge
}

// Results of the retry of a timed-out evaluation.
const (
	timeoutRecovered = "recovered"
	timeoutLost      = "lost"
)

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		evaluations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_detect_evaluations_total", Help: "Events evaluated, per detection.",
		}, []string{"detection"}),
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_detect_matches_total", Help: "Findings raised, per detection (before suppression).",
		}, []string{"detection"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_detect_errors_total", Help: "Evaluation errors, per detection.",
		}, []string{"detection"}),
		fallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_detect_fallbacks_total",
			Help: "Events the all-detections query failed on, evaluated again detection by detection (each failure there counts in vigil_detect_errors_total).",
		}),
		cost: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_detect_detection_cost_seconds", Help: "Measured evaluation cost per event of each detection (set by bench).",
		}, []string{"detection"}),
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_detect_events_total", Help: "Events the detections were applied to.",
		}),
		prefiltered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_detect_prefiltered_total",
			Help: "Events the prefilter ruled out (no detection can match them) without an evaluation by OPA.",
		}),
		evalSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_detect_evaluation_seconds", Help: "Time to evaluate every detection on one event.",
			Buckets: prometheus.ExponentialBuckets(2e-6, 2, 16),
		}),
		timeouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_detect_timeouts_total",
			Help: "Events whose evaluation hit eval_timeout, by result of the one retry: recovered, or lost (no findings for the event).",
		}, []string{"result"}),
		openAlerts: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_detect_suppression_open_alerts", Help: "Suppressed alerts whose window is open, as of the last flush.",
		}),
		evicted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_detect_suppression_evicted_total", Help: "Open suppressed alerts forgotten early because too many were open.",
		}),
		suppressed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_detect_suppressed_total", Help: "Findings folded into an open alert by suppression.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_detect_reloads_total", Help: "Policy reloads by result.",
		}, []string{"result"}),
		loaded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_detect_detections", Help: "Detections in the loaded policy set.",
		}),
	}
	m.timeouts.WithLabelValues(timeoutRecovered)
	m.timeouts.WithLabelValues(timeoutLost)
	if reg != nil {
		reg.MustRegister(m.evaluations, m.matches, m.errors, m.fallbacks, m.cost, m.events, m.prefiltered, m.evalSeconds,
			m.timeouts, m.suppressed, m.openAlerts, m.evicted, m.reloads, m.loaded)
	}
	return m
}

// retain deletes the per-detection series of detections not in ids.
func (m *metrics) retain(old, cur []Detection) {
	keep := make(map[string]bool, len(cur))
	for _, d := range cur {
		keep[d.ID] = true
	}
	for _, d := range old {
		if !keep[d.ID] {
			m.evaluations.DeleteLabelValues(d.ID)
			m.matches.DeleteLabelValues(d.ID)
			m.errors.DeleteLabelValues(d.ID)
			m.cost.DeleteLabelValues(d.ID)
		}
	}
	m.loaded.Set(float64(len(cur)))
}

// detectionCounters are the per-detection counters of one policy set, by
// index in its detections: Detect adds to every detection's evaluations on
// each call, and looking a series up by label costs more than the add.
type detectionCounters struct {
	once        sync.Once
	evaluations []prometheus.Counter
	matches     []prometheus.Counter
}

// countersOf returns the per-detection counters of set, resolved on first
// use.
func (m *metrics) countersOf(set *policySet) *detectionCounters {
	c := set.counters
	c.once.Do(func() {
		c.evaluations = make([]prometheus.Counter, len(set.dets))
		c.matches = make([]prometheus.Counter, len(set.dets))
		for i, d := range set.dets {
			c.evaluations[i] = m.evaluations.WithLabelValues(d.ID)
			c.matches[i] = m.matches.WithLabelValues(d.ID)
		}
	})
	return c
}
