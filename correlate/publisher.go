package correlate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/event"
)

// DefaultTopic is the correlate topic.
const DefaultTopic = "vigil.correlate"

// PublisherConfig configures a Publisher.
type PublisherConfig struct {
	Brokers []string
	// Topic defaults to DefaultTopic.
	Topic string
	// BatchTimeout bounds how long a partial batch waits before it is sent;
	// Publish is synchronous, so this is added latency; default 5ms.
	BatchTimeout time.Duration
	// WriteTimeout bounds one write; default 10s.
	WriteTimeout time.Duration
}

// Publisher routes alerts to the correlate topic: one record per (rule, key)
// an alert matches, keyed "tenant|key" so that every record of a key, of
// every rule, lands on the same partition (kafka-go's Hash balancer, the same in every
// process). Publish returns only once the brokers acknowledged every record
// (acks=all), so the caller may then commit its own input offsets.
type Publisher struct {
	w     *kafka.Writer
	tr    *kafka.Transport
	rules atomic.Pointer[[]Rule]
	m     *Metrics
	log   *slog.Logger
}

// NewPublisher returns a Publisher for the rules. m may be nil.
func NewPublisher(cfg PublisherConfig, rules []Rule, logger *slog.Logger, m *Metrics) (*Publisher, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("correlate publisher: brokers: required")
	}
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.BatchTimeout == 0 {
		cfg.BatchTimeout = 5 * time.Millisecond
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	// An own transport: kafka-go's shared default caches cluster metadata
	// for seconds, so a writer on it cannot see a topic created meanwhile
	// by another connection.
	tr := &kafka.Transport{}
	p := &Publisher{
		tr: tr,
		w: &kafka.Writer{
			Transport:    tr,
			Addr:         kafka.TCP(cfg.Brokers...),
			Topic:        cfg.Topic,
			Balancer:     &kafka.Hash{},
			RequiredAcks: kafka.RequireAll,
			Async:        false,
			BatchSize:    1000,
			BatchBytes:   16 << 20,
			BatchTimeout: cfg.BatchTimeout,
			WriteTimeout: cfg.WriteTimeout,
			MaxAttempts:  5,
		},
		m:   m,
		log: logger,
	}
	p.SetRules(rules)
	return p, nil
}

// SetRules swaps the rule set used for routing.
func (p *Publisher) SetRules(rules []Rule) { p.rules.Store(&rules) }

// RecordKey is the Kafka key of a correlate record. The rule is not part of
// it: the rules sharing a key (a story and its roll-ups, suppress_if_covered)
// must be evaluated by the same Correlator.
func RecordKey(tenant, key string) []byte {
	return []byte(tenant + "|" + key)
}

// Messages returns the correlate records for the alerts under the rules.
func Messages(rules []Rule, alerts []event.Alert) ([]kafka.Message, error) {
	var msgs []kafka.Message
	order := storiesFirst(rules) // the order a Correlator evaluates them in
	for i := range alerts {
		a := &alerts[i]
		for _, r := range order {
			for _, k := range r.Keys(a) {
				v, err := json.Marshal(Record{Rule: r.ID, Key: k, Alert: *a})
				if err != nil {
					return nil, fmt.Errorf("encode alert %s for rule %s: %w", a.ID, r.ID, err)
				}
				msgs = append(msgs, kafka.Message{Key: RecordKey(a.Tenant, k), Value: v})
			}
		}
	}
	return msgs, nil
}

// Publish writes the alerts' correlate records and returns when all are
// acknowledged.
func (p *Publisher) Publish(ctx context.Context, alerts []event.Alert) error {
	msgs, err := Messages(*p.rules.Load(), alerts)
	if err != nil || len(msgs) == 0 {
		return err
	}
	start := time.Now()
	err = p.w.WriteMessages(ctx, msgs...)
	p.m.publishSeconds.Observe(time.Since(start).Seconds())
	if err != nil {
		p.m.publishErrors.Inc()
		return fmt.Errorf("write %d correlate records to %s: %w", len(msgs), p.w.Topic, err)
	}
	p.m.published.Add(float64(len(msgs)))
	return nil
}

// Close flushes and closes the writer.
func (p *Publisher) Close() error {
	err := p.w.Close()
	p.tr.CloseIdleConnections()
	return err
}
