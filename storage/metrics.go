package storage

import "github.com/prometheus/client_golang/prometheus"

// metrics are the vigil_storage_* series, labelled by table.
type metrics struct {
	rows       *prometheus.CounterVec
	bytes      *prometheus.CounterVec
	batches    *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	retries    *prometheus.CounterVec
	failures   *prometheus.CounterVec
	queueDepth *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_storage_rows_written_total",
			Help: "Rows acknowledged by ClickHouse, per table.",
		}, []string{"table"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_storage_written_bytes_total",
			Help: "Uncompressed bytes of the rows acknowledged by ClickHouse (estimate), per table.",
		}, []string{"table"}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_storage_batches_total",
			Help: "INSERT batches acknowledged by ClickHouse, per table.",
		}, []string{"table"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_storage_batch_duration_seconds",
			Help:    "Time to write one batch, retries included, per table.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}, []string{"table"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_storage_retries_total",
			Help: "INSERT attempts that failed with a retryable error and were retried, per table.",
		}, []string{"table"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_storage_failures_total",
			Help: "Batches given up on (permanent error, retries exhausted or shutdown), per table.",
		}, []string{"table"}),
		queueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_storage_queue_rows",
			Help: "Rows accepted but not yet acknowledged by ClickHouse, per table.",
		}, []string{"table"}),
	}
	if reg != nil {
		reg.MustRegister(m.rows, m.bytes, m.batches, m.latency, m.retries, m.failures, m.queueDepth)
	}
	return m
}
