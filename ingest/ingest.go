// Package ingest consumes raw security logs from Kafka, normalizes them into
// event.Event with the parsers of ingest/parse, sends every record that
// cannot be parsed to a dead-letter topic, and hands the events to a Sink.
//
// Offsets follow durability: a batch is acknowledged to the consumer group
// (internal/kafkagroup) only when its dead letters are acknowledged by Kafka
// (acks=all) and the Sink returned nil for its events. Until then the batch
// is retried, so every raw record ends up exactly in one of two places — as
// events downstream or in the DLQ — at least once; ids are stable, so a
// replay stores the same events again.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest/parse"
	"github.com/vigil-soc/vigil/internal/kafkagroup"
)

// Batch is what the Sink gets: the events of one Kafka batch of one
// partition.
type Batch struct {
	Events []event.Event
	// Records is how many raw records the batch covers: the records the
	// events came from plus those sent to the dead-letter topic.
	Records int
	// DeadLettered of those Records went to the dead-letter topic.
	DeadLettered int
	// Release, when not nil, tells ingest that the sink's own work on the
	// batch is done and it only waits for durability: the partition's next
	// batch may start (see kafkagroup.Batch.Release).
	Release func()
}

// Sink takes normalized events downstream. Process returns nil only when
// everything in the batch is durable downstream; on an error the same
// records are processed and handed over again.
type Sink interface {
	Process(ctx context.Context, b Batch) error
}

// Ingester reads the configured topics as one member of the ingest consumer
// group.
type Ingester struct {
	cfg      Config
	parser   *parse.Registry
	sink     Sink
	log      *slog.Logger
	m        *metrics
	topics   map[string]TopicConfig
	locs     map[string]*time.Location // per topic: Timezone resolved
	maxBytes int
	now      func() time.Time

	dlqTransport *kafka.Transport
	dlq          *kafka.Writer
	consumer     *kafkagroup.Consumer
}

var _ kafkagroup.Handler = (*Ingester)(nil)

// New checks cfg (after SetDefaults) and returns an Ingester that parses
// with parser and hands events to sink.
func New(cfg Config, parser *parse.Registry, sink Sink, logger *slog.Logger, reg prometheus.Registerer) (*Ingester, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if parser == nil || sink == nil {
		return nil, errors.New("ingest: parser and sink are required")
	}
	known := map[string]bool{"": true, parse.SourceAuto: true}
	for _, s := range parser.Sources() {
		known[s] = true
	}
	topics := make(map[string]TopicConfig, len(cfg.Topics))
	locs := make(map[string]*time.Location, len(cfg.Topics))
	for i, t := range cfg.Topics {
		if !known[t.Source] {
			return nil, fmt.Errorf("ingest.topics[%d].source: unknown source %q (known: %v)", i, t.Source, parser.Sources())
		}
		topics[t.Name] = t
		loc, err := t.location()
		if err != nil {
			return nil, fmt.Errorf("ingest.topics[%d].timezone: %w", i, err)
		}
		locs[t.Name] = loc
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	in := &Ingester{
		cfg:      cfg,
		parser:   parser,
		sink:     sink,
		log:      logger,
		m:        newMetrics(reg),
		topics:   topics,
		locs:     locs,
		maxBytes: cfg.MaxRecordBytes,
		now:      time.Now,
	}
	if in.maxBytes == 0 {
		in.maxBytes = parser.MaxRecordBytes()
	}
	in.dlqTransport = &kafka.Transport{}
	in.dlq = &kafka.Writer{
		Addr:                   kafka.TCP(cfg.Brokers...),
		Balancer:               &kafka.Hash{}, // the original key keeps related records together
		RequiredAcks:           kafka.RequireAll,
		BatchSize:              1000,
		BatchBytes:             int64(max(in.maxBytes, 1<<20)) + 64<<10,
		BatchTimeout:           5 * time.Millisecond,
		WriteTimeout:           cfg.DLQWriteTimeout,
		AllowAutoTopicCreation: cfg.CreateDLQTopics,
		Transport:              in.dlqTransport,
	}
	c, err := kafkagroup.New(cfg.groupConfig(), in, logger, reg)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	in.consumer = c
	return in, nil
}

// Run consumes until ctx ends. Shutdown order: stop fetching → drain the
// batches in flight through the sink → commit offsets → leave the group
// (all in kafkagroup.Consumer.Run) → close the DLQ writer. The sink is the
// caller's to close, after Run returned.
func (in *Ingester) Run(ctx context.Context) error {
	err := in.consumer.Run(ctx)
	if cerr := in.dlq.Close(); cerr != nil {
		in.log.Warn("close dlq writer", "err", cerr)
	}
	in.dlqTransport.CloseIdleConnections()
	return err
}

// Lag returns the consumer lag of the assigned partitions.
func (in *Ingester) Lag() map[string]map[int]int64 { return in.consumer.Lag() }

// HandleBatch parses a Kafka batch, writes its bad records to the DLQ and
// its events to the sink. It returns nil only when both are durable.
func (in *Ingester) HandleBatch(ctx context.Context, b kafkagroup.Batch) error {
	start := in.now()
	tc, ok := in.topics[b.Topic]
	if !ok { // cannot happen: the group reads only configured topics
		return fmt.Errorf("ingest: batch of unconfigured topic %s", b.Topic)
	}
	var (
		events  = make([]event.Event, 0, len(b.Messages))
		dead    []kafka.Message
		reasons = map[string]int{}
	)
	for _, m := range b.Messages {
		var err error
		events, err = in.parse(events, tc, m)
		if err != nil {
			dead = append(dead, deadLetter(tc, m, err))
			reasons[reason(err)]++
		}
	}
	for i := range events {
		if events[i].Event.Ingested.IsZero() {
			events[i].Event.Ingested = start
		}
		if alias, ok := in.cfg.TenantAliases[events[i].Organization.ID]; ok {
			events[i].Organization.ID = alias
		}
	}

	if len(dead) > 0 {
		if err := in.dlq.WriteMessages(ctx, dead...); err != nil {
			in.m.dlqErrors.WithLabelValues(b.Topic).Inc()
			return fmt.Errorf("write %d records to dead-letter topic %s: %w", len(dead), tc.DLQ, err)
		}
	}
	if len(events) > 0 || len(dead) < len(b.Messages) {
		if err := in.sink.Process(ctx, Batch{Events: events, Records: len(b.Messages), DeadLettered: len(dead), Release: b.Release}); err != nil {
			in.m.sinkErrors.Inc()
			return fmt.Errorf("sink batch of %s/%d at offset %d: %w", b.Topic, b.Partition, b.Messages[0].Offset, err)
		}
	}

	// Count only work that is done: a retried batch is counted once.
	source := tc.Source
	if source == "" {
		source = parse.SourceAuto
	}
	in.m.recordsIn.WithLabelValues(b.Topic, source).Add(float64(len(b.Messages)))
	bySource := map[string]int{}
	for i := range events {
		bySource[events[i].Event.Dataset]++
	}
	for s, n := range bySource {
		in.m.eventsOut.WithLabelValues(s).Add(float64(n))
	}
	for r, n := range reasons {
		in.m.parseErrors.WithLabelValues(b.Topic, r).Add(float64(n))
	}
	if len(dead) > 0 {
		in.m.dlqRecords.WithLabelValues(b.Topic).Add(float64(len(dead)))
		in.log.Debug("records dead-lettered", "topic", b.Topic, "partition", b.Partition, "count", len(dead))
	}
	in.m.batchRecords.Observe(float64(len(b.Messages)))
	in.m.batchEvents.Observe(float64(len(events)))
	in.m.latency.Observe(in.now().Sub(start).Seconds())
	return nil
}

// parse appends the events of one record to events, turning an oversized
// record or a parser panic into a record error; on error events is returned
// as it was.
func (in *Ingester) parse(events []event.Event, tc TopicConfig, m kafka.Message) (evs []event.Event, err error) {
	if len(m.Value) > in.maxBytes {
		return events, &parse.Error{Reason: parse.ReasonOversized,
			Err: fmt.Errorf("record of %d bytes exceeds %d", len(m.Value), in.maxBytes)}
	}
	defer func() {
		if v := recover(); v != nil {
			clear(events[len(events):cap(events)])
			evs, err = events, parsePanic(v)
		}
	}()
	return in.parser.Append(events, tc.Source, parse.Record{
		Value:     m.Value,
		Topic:     m.Topic,
		Partition: m.Partition,
		Offset:    m.Offset,
		Time:      m.Time,
		Tenant:    in.tenantOf(tc, m),
		Location:  in.locs[m.Topic],
	})
}

// tenantOf is the tenant a record belongs to when it carries none itself:
// its tenant header, else its topic's tenant.
func (in *Ingester) tenantOf(tc TopicConfig, m kafka.Message) string {
	if in.cfg.TenantHeader != "" {
		for _, h := range m.Headers {
			if h.Key == in.cfg.TenantHeader && len(h.Value) > 0 {
				return string(h.Value)
			}
		}
	}
	return tc.Tenant
}

type metrics struct {
	recordsIn    *prometheus.CounterVec // topic, source
	eventsOut    *prometheus.CounterVec // source (event.dataset)
	parseErrors  *prometheus.CounterVec // topic, reason
	dlqRecords   *prometheus.CounterVec // topic
	dlqErrors    *prometheus.CounterVec // topic
	sinkErrors   prometheus.Counter
	batchRecords prometheus.Histogram
	batchEvents  prometheus.Histogram
	latency      prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		recordsIn: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "ingest",
			Name: "records_total", Help: "Raw records processed (events out or dead-lettered), by topic and configured source."}, []string{"topic", "source"}),
		eventsOut: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "ingest",
			Name: "events_total", Help: "Normalized events handed to the sink, by event.dataset."}, []string{"source"}),
		parseErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "ingest",
			Name: "parse_errors_total", Help: "Records refused, by topic and reason."}, []string{"topic", "reason"}),
		dlqRecords: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "ingest",
			Name: "dlq_records_total", Help: "Records written to the dead-letter topic."}, []string{"topic"}),
		dlqErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "ingest",
			Name: "dlq_errors_total", Help: "Failed dead-letter writes (the batch is retried)."}, []string{"topic"}),
		sinkErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "ingest",
			Name: "sink_errors_total", Help: "Sink calls that failed (the batch is retried)."}),
		batchRecords: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "vigil", Subsystem: "ingest",
			Name: "batch_records", Help: "Raw records per batch.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)}),
		batchEvents: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "vigil", Subsystem: "ingest",
			Name: "batch_events", Help: "Events per batch handed to the sink.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "vigil", Subsystem: "ingest",
			Name: "process_seconds", Help: "Time to parse a batch, write its dead letters and sink its events.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9)}),
	}
	if reg != nil {
		m.recordsIn = register(reg, m.recordsIn)
		m.eventsOut = register(reg, m.eventsOut)
		m.parseErrors = register(reg, m.parseErrors)
		m.dlqRecords = register(reg, m.dlqRecords)
		m.dlqErrors = register(reg, m.dlqErrors)
		m.sinkErrors = register(reg, m.sinkErrors)
		m.batchRecords = register(reg, m.batchRecords)
		m.batchEvents = register(reg, m.batchEvents)
		m.latency = register(reg, m.latency)
	}
	return m
}

// register registers c or returns the collector already registered in its
// place (two Ingesters in one process share their series).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // conflicting metric definitions: a programming error
	}
	return c
}
