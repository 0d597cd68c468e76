package correlate

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the correlate package's Prometheus metrics. One set serves
// every Correlator, Publisher and Runner of a process; gauges are summed over
// the Correlators.
type Metrics struct {
	activeKeys  prometheus.Gauge
	openWindows prometheus.Gauge
	records     prometheus.Counter
	duplicates  prometheus.Counter
	recounts    *prometheus.CounterVec
	covered     prometheus.Counter
	created     *prometheus.CounterVec
	updated     *prometheus.CounterVec
	late        *prometheus.CounterVec
	evictions   *prometheus.CounterVec
	truncated   prometheus.Counter
	unknownRule prometheus.Counter

	published      prometheus.Counter
	publishErrors  prometheus.Counter
	publishSeconds prometheus.Histogram

	batches      *prometheus.CounterVec
	decodeErrors prometheus.Counter
	sinkSeconds  prometheus.Histogram
	suppressed   prometheus.Counter
	rewinds      prometheus.Counter
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	const ns, sub = "vigil", "correlate"
	m := &Metrics{
		activeKeys: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub,
			Name: "active_keys", Help: "Correlation keys (tenant, rule, key) with state."}),
		openWindows: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub,
			Name: "open_windows", Help: "Open event-time windows of threshold, entity and risk rules."}),
		records: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "records_total", Help: "Alerts evaluated per (rule, key)."}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "duplicate_alerts_total", Help: "Redelivered (rule, key, alert id) triples ignored."}),
		recounts: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "recounts_total", Help: "Suppressed alerts re-emitted with a higher count, by outcome (applied, expired)."}, []string{"outcome"}),
		covered: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "covered_alerts_total", Help: "Alerts a roll-up rule (suppress_if_covered) left to a story incident of the same key."}),
		created: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "incidents_created_total", Help: "Incidents created, by rule kind."}, []string{"kind"}),
		updated: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "incidents_updated_total", Help: "Incident updates emitted, by rule kind."}, []string{"kind"}),
		late: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "late_alerts_total", Help: "Alerts older than the watermark, by outcome (attached, dropped)."}, []string{"outcome"}),
		evictions: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "evictions_total", Help: "State dropped because a cap was reached, by what (key, step_alert, dedupe)."}, []string{"what"}),
		truncated: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "unlisted_alerts_total", Help: "Alerts counted into an incident but not listed (cap)."}),
		unknownRule: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "unknown_rule_records_total", Help: "Records naming a rule this process does not have, or a key the rule no longer gives the alert (published before a reload changed the rule)."}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "published_records_total", Help: "Records written to the correlate topic."}),
		publishErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "publish_errors_total", Help: "Failed writes to the correlate topic."}),
		publishSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub,
			Name: "publish_seconds", Help: "Time to write one batch to the correlate topic.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "batches_total", Help: "Batches handled from the correlate topic, by replay (true, false)."}, []string{"replay"}),
		decodeErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "decode_errors_total", Help: "Correlate-topic records that could not be decoded (skipped)."}),
		sinkSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub,
			Name: "sink_seconds", Help: "Time the incident sink took per batch.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		suppressed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "replay_suppressed_incidents_total", Help: "Incident changes rebuilt during replay and not re-emitted."}),
		rewinds: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "rewinds_total", Help: "Partition assignments rewound to rebuild open windows."}),
	}
	if reg != nil {
		reg.MustRegister(m.activeKeys, m.openWindows, m.records, m.duplicates, m.recounts, m.covered, m.created, m.updated,
			m.late, m.evictions, m.truncated, m.unknownRule, m.published, m.publishErrors,
			m.publishSeconds, m.batches, m.decodeErrors, m.sinkSeconds, m.suppressed, m.rewinds)
	}
	return m
}
