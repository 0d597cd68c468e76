package correlate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/kafkagroup"
)

// IncidentSink receives the incidents correlation created or changed. It
// returns nil only once they are durable; the lifecycle stage implements it
// and must be idempotent by incident id and Version.
type IncidentSink interface {
	Incidents(ctx context.Context, incs []event.Incident) error
}

// RunnerConfig configures a Runner.
type RunnerConfig struct {
	// Correlator is the template of every partition's Correlator (rules,
	// lateness, caps, clock, logger, metrics).
	Correlator Config
	// Brokers are used to find the rewind offset.
	Brokers []string
	// Lookback is how far before now a newly assigned partition is re-read
	// to rebuild open windows; default the longest rule window or span plus
	// the lateness and the catch-up grace plus one minute.
	Lookback time.Duration
	// EmitReplay also sends the incidents rebuilt from replayed records to
	// the sink. By default they are suppressed: a replayed record is below
	// the committed offset, so the incidents it produced were already
	// delivered, and the rebuilt ones have the same ids and contents.
	EmitReplay bool
}

// Runner consumes the correlate topic: it is a kafkagroup.Handler and
// kafkagroup.Rewinder holding one Correlator per assigned partition. It must
// run with kafkagroup.Config.InFlightPerPartition = 1 (Run sets it), since a
// Correlator needs its partition's records in order.
type Runner struct {
	cfg  RunnerConfig
	sink IncidentSink
	log  *slog.Logger
	m    *Metrics

	mu    sync.Mutex
	parts map[partKey]*partState
}

type partKey struct {
	topic     string
	partition int
}

// partState is one partition's correlator and delivery progress.
type partState struct {
	mu      sync.Mutex
	c       *Correlator
	next    int64            // offset after the last record absorbed
	pending []event.Incident // absorbed but not yet accepted by the sink
}

var (
	_ kafkagroup.Handler  = (*Runner)(nil)
	_ kafkagroup.Rewinder = (*Runner)(nil)
)

// NewRunner returns a Runner delivering to sink.
func NewRunner(cfg RunnerConfig, sink IncidentSink) (*Runner, error) {
	if sink == nil {
		return nil, errors.New("correlate runner: nil sink")
	}
	cc := cfg.Correlator
	cc.setDefaults()
	if err := cc.Validate(); err != nil {
		return nil, fmt.Errorf("correlate runner: %w", err)
	}
	cfg.Correlator = cc
	if cfg.Lookback == 0 {
		cfg.Lookback = maxSpan(cc.Rules) + cc.Lateness + cc.CatchUpGrace + time.Minute
	}
	return &Runner{
		cfg:   cfg,
		sink:  sink,
		log:   cc.Logger,
		m:     cc.Metrics,
		parts: map[partKey]*partState{},
	}, nil
}

// Run consumes the correlate topic in the consumer group of group (Topics
// default to DefaultTopic) until ctx ends.
func (r *Runner) Run(ctx context.Context, group kafkagroup.Config, reg prometheus.Registerer) error {
	if len(group.Topics) == 0 {
		group.Topics = []string{DefaultTopic}
	}
	if len(group.Brokers) == 0 {
		group.Brokers = r.cfg.Brokers
	}
	group.InFlightPerPartition = 1
	c, err := kafkagroup.New(group, r, r.log, reg)
	if err != nil {
		return fmt.Errorf("correlate runner: %w", err)
	}
	return c.Run(ctx)
}

// RewindTo starts the partition afresh: its Correlator is replaced and the
// partition is re-read from the first record younger than now − Lookback
// (at most committed), so that open windows are rebuilt.
func (r *Runner) RewindTo(ctx context.Context, topic string, partition int, committed int64) (int64, error) {
	off, err := kafkagroup.OffsetAtTime(ctx, r.cfg.Brokers, topic, partition,
		r.cfg.Correlator.Now().Add(-r.cfg.Lookback))
	if err != nil {
		return 0, fmt.Errorf("rewind %s/%d: %w", topic, partition, err)
	}
	start := min(off, committed)
	c, err := New(r.cfg.Correlator)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	k := partKey{topic, partition}
	if old := r.parts[k]; old != nil {
		old.c.Close()
	}
	r.parts[k] = &partState{c: c, next: start}
	r.mu.Unlock()
	r.m.rewinds.Inc()
	r.log.Info("partition rewound", "topic", topic, "partition", partition,
		"committed", committed, "start", start, "replay_records", committed-start)
	return start, nil
}

func (r *Runner) part(topic string, partition int) *partState {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := partKey{topic, partition}
	ps := r.parts[k]
	if ps == nil {
		// Only when the Runner is driven without RewindTo.
		c, _ := New(r.cfg.Correlator) // the config was validated by NewRunner
		ps = &partState{c: c, next: -1}
		r.parts[k] = ps
	}
	return ps
}

// HandleBatch feeds the batch to the partition's Correlator and hands the
// incidents it created or changed to the sink; it returns nil only after the
// sink did. A batch handed over again after an error is not counted twice:
// records already absorbed are skipped and the undelivered incidents are
// retried.
func (r *Runner) HandleBatch(ctx context.Context, b kafkagroup.Batch) error {
	ps := r.part(b.Topic, b.Partition)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	r.m.batches.WithLabelValues(fmt.Sprint(b.Replay)).Inc()

	recs := make([]Record, 0, len(b.Messages))
	for i := range b.Messages {
		msg := &b.Messages[i]
		if msg.Offset < ps.next {
			continue
		}
		var rec Record
		if err := json.Unmarshal(msg.Value, &rec); err != nil || rec.Rule == "" {
			r.m.decodeErrors.Inc()
			r.log.Warn("correlate record skipped", "topic", b.Topic, "partition", b.Partition,
				"offset", msg.Offset, "err", err)
			continue
		}
		recs = append(recs, rec)
	}
	if n := len(b.Messages); n > 0 {
		ps.next = max(ps.next, b.Messages[n-1].Offset+1)
	}
	incs := ps.c.AddRecords(ctx, recs)
	if b.Replay && !r.cfg.EmitReplay {
		r.m.suppressed.Add(float64(len(incs)))
		return nil
	}
	ps.pending = mergeIncidents(ps.pending, incs)
	if len(ps.pending) == 0 {
		return nil
	}
	start := time.Now()
	err := r.sink.Incidents(ctx, ps.pending)
	r.m.sinkSeconds.Observe(time.Since(start).Seconds())
	if err != nil {
		return fmt.Errorf("deliver %d incidents: %w", len(ps.pending), err)
	}
	ps.pending = nil
	return nil
}

// mergeIncidents adds incs to pending, keeping the latest version of each id.
func mergeIncidents(pending, incs []event.Incident) []event.Incident {
	if len(pending) == 0 {
		return incs
	}
	idx := make(map[string]int, len(pending))
	for i, p := range pending {
		idx[p.ID] = i
	}
	for _, inc := range incs {
		if i, ok := idx[inc.ID]; ok {
			pending[i] = inc
			continue
		}
		idx[inc.ID] = len(pending)
		pending = append(pending, inc)
	}
	return pending
}

// Close releases every partition's Correlator.
func (r *Runner) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, ps := range r.parts {
		ps.c.Close()
		delete(r.parts, k)
	}
}
