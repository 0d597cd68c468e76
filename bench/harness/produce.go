package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/bench/gen"
)

// Origin names one Kafka record.
type Origin struct {
	Topic     string
	Partition int
	Offset    int64
}

// Producer writes generated records to Kafka.
type Producer struct {
	Brokers []string
	// Topic maps a record to its topic (e.g. a per-run prefix + rec.Topic).
	Topic func(gen.Record) string
	// Rate is records per second; 0 writes as fast as the broker accepts.
	Rate float64
	// Track records the produce time of every record by origin.
	Track bool
}

// ProduceStats is what a Producer wrote.
type ProduceStats struct {
	Records   int64            `json:"records"`
	Bytes     int64            `json:"bytes"`
	Seconds   float64          `json:"seconds"`
	PerSecond float64          `json:"records_per_second"`
	PerTopic  map[string]int64 `json:"per_topic"`
	Scenario  int64            `json:"scenario_records"`
	// Produced is the produce time of each record (with Track): the Kafka
	// message timestamp the harness set just before handing the record to
	// the client, as acknowledged by the broker.
	Produced map[Origin]time.Time `json:"-"`
}

// Produce writes n records from g. It returns once every record was
// acknowledged by the broker (acks=all) or with the first error.
func (p *Producer) Produce(ctx context.Context, g *gen.Generator, n int) (*ProduceStats, error) {
	st := &ProduceStats{PerTopic: map[string]int64{}}
	if p.Track {
		st.Produced = make(map[Origin]time.Time, n)
	}
	var (
		mu       sync.Mutex
		firstErr error
		acked    int64
	)
	// An own transport per run: the shared default caches metadata that
	// predates this run's topics.
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{
		Transport:    tr,
		Addr:         kafka.TCP(p.Brokers...),
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		Async:        true,
		BatchSize:    2000,
		// One produce request's record batch must stay under the broker's
		// message.max.bytes (1 MiB by default).
		BatchBytes:   900 << 10,
		BatchTimeout: 5 * time.Millisecond,
		WriteTimeout: 30 * time.Second,
		MaxAttempts:  10,
		Completion: func(msgs []kafka.Message, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			acked += int64(len(msgs))
			if st.Produced != nil {
				for _, m := range msgs {
					st.Produced[Origin{m.Topic, m.Partition, m.Offset}] = m.Time
				}
			}
		},
	}
	if p.Rate > 0 {
		// Lingering counts as latency, but short lingers load the broker
		// far more than a log shipper does: a produce request per
		// partition per linger, 21 partitions. At 6 000 records/s a 10 ms
		// linger (2 100 requests/s) cost the broker 30 % of a core and the
		// harness more, taken from vigil on a two-core machine; 50 ms
		// (shippers linger as long or longer) adds at most 50 ms to the
		// measured latency.
		w.BatchTimeout = pacedLinger
	}
	start := time.Now()
	var werr error
	if p.Rate > 0 {
		werr = p.paced(ctx, w, g, n, st)
	} else {
		werr = p.bulk(ctx, w, g, n, st)
	}
	if err := w.Close(); err != nil && werr == nil {
		werr = fmt.Errorf("close writer: %w", err)
	}
	st.Seconds = time.Since(start).Seconds()
	if st.Seconds > 0 {
		st.PerSecond = float64(st.Records) / st.Seconds
	}
	mu.Lock()
	defer mu.Unlock()
	if werr == nil && firstErr != nil {
		werr = fmt.Errorf("produce: %w", firstErr)
	}
	if werr == nil && acked != st.Records {
		werr = fmt.Errorf("produce: %d of %d records acknowledged", acked, st.Records)
	}
	return st, werr
}

func (p *Producer) message(rec gen.Record, st *ProduceStats) kafka.Message {
	t := p.Topic(rec)
	st.Records++
	st.Bytes += int64(len(rec.Value))
	st.PerTopic[t]++
	if rec.Scenario != "" {
		st.Scenario++
	}
	return kafka.Message{Topic: t, Key: rec.Key, Value: rec.Value, Time: time.Now(), Headers: []kafka.Header{
		{Key: "tenant", Value: []byte(rec.Tenant)}, {Key: "source", Value: []byte(rec.Source)},
	}}
}

func (p *Producer) bulk(ctx context.Context, w *kafka.Writer, g *gen.Generator, n int, st *ProduceStats) error {
	const chunk = 1000
	buf := make([]kafka.Message, 0, chunk)
	for i := 0; i < n; i++ {
		rec := g.Next()
		if rec.Value == nil {
			return errors.New("generator ran dry")
		}
		buf = append(buf, p.message(rec, st))
		if len(buf) == chunk || i == n-1 {
			if err := w.WriteMessages(ctx, buf...); err != nil {
				return fmt.Errorf("write messages: %w", err)
			}
			buf = make([]kafka.Message, 0, chunk) // async: the writer keeps the slice
		}
	}
	return nil
}

// pacedLinger is how long the writer of a paced run waits to fill a batch.
const pacedLinger = 50 * time.Millisecond

// paced writes at p.Rate, in steps of 5 ms, each record timestamped when it
// is handed to the writer; a step's records go to the writer in one call.
func (p *Producer) paced(ctx context.Context, w *kafka.Writer, g *gen.Generator, n int, st *ProduceStats) error {
	start := time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	sent := 0
	for sent < n {
		due := min(n, int(time.Since(start).Seconds()*p.Rate))
		if due > sent {
			// A new slice each step: the async writer keeps it.
			step := make([]kafka.Message, 0, due-sent)
			for ; sent < due; sent++ {
				rec := g.Next()
				if rec.Value == nil {
					return errors.New("generator ran dry")
				}
				step = append(step, p.message(rec, st))
			}
			if err := w.WriteMessages(ctx, step...); err != nil {
				return fmt.Errorf("write messages: %w", err)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}
