package kafkagroup

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the consumer's Prometheus series. Every series carries the
// group as a constant label, so that the ingest and correlate groups of one
// process register side by side.
type metrics struct {
	fetched      *prometheus.CounterVec   // topic
	batches      *prometheus.CounterVec   // topic
	errors       *prometheus.CounterVec   // topic
	retries      *prometheus.CounterVec   // topic
	abandoned    *prometheus.CounterVec   // topic
	commits      *prometheus.CounterVec   // result
	fetchErrors  *prometheus.CounterVec   // topic
	lag          *prometheus.GaugeVec     // topic, partition
	batchRecords *prometheus.HistogramVec // topic
	handleTime   *prometheus.HistogramVec // topic
	rebalances   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, group string) *metrics {
	cl := prometheus.Labels{"group": group}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "vigil", Subsystem: "kafka", Name: name, Help: help, ConstLabels: cl,
		}, labels))
	}
	m := &metrics{
		fetched:     counter("records_fetched_total", "Records read from Kafka.", "topic"),
		batches:     counter("batches_handled_total", "Batches the handler finished successfully.", "topic"),
		errors:      counter("handler_errors_total", "Handler calls that returned an error.", "topic"),
		retries:     counter("handler_retries_total", "Batches handed to the handler again after an error.", "topic"),
		abandoned:   counter("batches_abandoned_total", "Batches left unfinished (and uncommitted) at shutdown or rebalance.", "topic"),
		commits:     counter("commits_total", "Offset commits, by result (ok, error).", "result"),
		fetchErrors: counter("fetch_errors_total", "Errors reading from a partition.", "topic"),
		lag: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "vigil", Subsystem: "kafka", Name: "consumer_lag_records", ConstLabels: cl,
			Help: "Records between the partition's high watermark and the commit watermark, for assigned partitions.",
		}, []string{"topic", "partition"})),
		batchRecords: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "vigil", Subsystem: "kafka", Name: "batch_records", ConstLabels: cl,
			Help:    "Records per batch handed to the handler.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}, []string{"topic"})),
		handleTime: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "vigil", Subsystem: "kafka", Name: "handle_seconds", ConstLabels: cl,
			Help:    "Time of one handler call.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9),
		}, []string{"topic"})),
		rebalances: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "vigil", Subsystem: "kafka", Name: "generations_total", ConstLabels: cl,
			Help: "Consumer group generations joined (the first join and every rebalance).",
		})),
	}
	return m
}

// register registers c, or returns the collector already registered under
// the same description (two consumers of one group in one process share
// their series). A nil reg registers nothing.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // a programming error: conflicting metric definitions
	}
	return c
}
