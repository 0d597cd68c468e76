package escalate

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are escalate's vigil_escalate_* metrics, shared by the Manager
// and the Dispatcher of one process.
type Metrics struct {
	deliveries    *prometheus.CounterVec
	retries       *prometheus.CounterVec
	chain         *prometheus.CounterVec
	reminders     prometheus.Counter
	missed        prometheus.Counter
	transitions   *prometheus.CounterVec
	confirmations prometheus.Counter
	policyErrors  prometheus.Counter
	alertReads    *prometheus.CounterVec
	timeTo        *prometheus.HistogramVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	hours := []float64{60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600, 7 * 24 * 3600, 30 * 24 * 3600}
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_escalate_deliveries_total",
			Help: "Delivery attempts by target and outcome (delivered, retry, failed).",
		}, []string{"target", "outcome"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_escalate_retries_total",
			Help: "Deliveries scheduled for another attempt, by target.",
		}, []string{"target"}),
		chain: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_escalate_chain_escalations_total",
			Help: "Escalations to the next level of a chain after a level failed, by the level reached.",
		}, []string{"level"}),
		reminders: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_escalate_deadline_reminders_total",
			Help: "Customer-notification deadline reminders raised.",
		}),
		missed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_escalate_deadline_missed_total",
			Help: "Customer-notification deadlines missed.",
		}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_escalate_transitions_total",
			Help: "Lifecycle transitions by target status.",
		}, []string{"to"}),
		confirmations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_escalate_auto_confirmations_total",
			Help: "Incidents declared by the auto-confirmation policy.",
		}),
		policyErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_escalate_policy_errors_total",
			Help: "Auto-confirmation decisions that failed because the policy did (the incident is left to analysts).",
		}),
		alertReads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_escalate_alert_reads_total",
			Help: "Alerts the lifecycle read for the auto-confirmation policy, by where the row came from: cache (its stored count unchanged) or store (read in full: new or refolded).",
		}, []string{"from"}),
		timeTo: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_escalate_time_to_seconds",
			Help:    "Response times: detect (first alert event → incident created), confirm (created → declared), contain and close (declared → contained/closed).",
			Buckets: hours,
		}, []string{"phase"}),
	}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.retries, m.chain, m.reminders, m.missed, m.transitions, m.confirmations, m.policyErrors, m.alertReads, m.timeTo)
	}
	return m
}

func (m *Metrics) observe(phase string, from, to time.Time) {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return
	}
	m.timeTo.WithLabelValues(phase).Observe(to.Sub(from).Seconds())
}
