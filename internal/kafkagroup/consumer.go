package kafkagroup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/sourcegraph/conc"
)

// Batch is a run of consecutive records of one partition, in offset order.
type Batch struct {
	Topic     string
	Partition int
	Messages  []kafka.Message
	// Replay is set when every message is below the group's committed
	// offset: it was read again because a Rewinder asked for it (to rebuild
	// state), and its effects were already made durable once. A batch is
	// never part replay and part new.
	Replay bool
	// Release frees the batch's in-flight slot before HandleBatch returns.
	// A handler whose own work is done and that only waits for it to
	// become durable calls it, so that the partition's next batch starts
	// meanwhile; the batch still holds back the commit until HandleBatch
	// returns, and at most MaxPendingRecords records of a partition are
	// with the handler in all. Calling it more than once, or never, is
	// fine; it is nil in batches built outside a Consumer. A batch that
	// fails after Release is retried without taking a slot again; its
	// records still count against MaxPendingRecords, which keeps memory
	// bounded.
	Release func()
}

// Handler processes batches. HandleBatch returns nil only when everything
// the batch covers is durable; then its offsets may be committed. On an
// error the same batch is handed over again, with capped exponential
// backoff, until ctx ends: a batch is never skipped, and never committed
// unless it succeeded. HandleBatch is called concurrently for different
// partitions, and for the same partition when InFlightPerPartition > 1.
type Handler interface {
	HandleBatch(ctx context.Context, b Batch) error
}

// Rewinder is implemented by a Handler that rebuilds state from the topic
// itself. On every assignment of a partition the Consumer calls RewindTo
// with the group's committed offset and reads the partition from the
// offset it returns (at most committed); batches below committed come with
// Replay set. OffsetAtTime turns a lookback duration into an offset.
type Rewinder interface {
	RewindTo(ctx context.Context, topic string, partition int, committed int64) (int64, error)
}

// Consumer is one member of a consumer group. Create it with New and run it
// with Run.
type Consumer struct {
	cfg       Config
	h         Handler
	rw        Rewinder
	log       *slog.Logger
	m         *metrics
	transport *kafka.Transport
	client    *kafka.Client
	running   atomic.Bool

	mu    sync.Mutex
	parts []*partition // of the current generation
}

// New checks cfg and returns a Consumer that hands batches to h. If h also
// implements Rewinder, it is asked where to start every assigned partition.
// Metrics are registered on reg (nil: not registered), labelled with the
// group.
func New(cfg Config, h Handler, logger *slog.Logger, reg prometheus.Registerer) (*Consumer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("kafkagroup config: %w", err)
	}
	if h == nil {
		return nil, errors.New("kafkagroup: nil handler")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	tr := &kafka.Transport{}
	c := &Consumer{
		cfg:       cfg,
		h:         h,
		log:       logger.With("group", cfg.GroupID),
		m:         newMetrics(reg, cfg.GroupID),
		transport: tr,
		client:    &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Transport: tr, Timeout: 10 * time.Second},
	}
	c.rw, _ = h.(Rewinder)
	return c, nil
}

// Run joins the group and consumes until ctx ends. Then it drains: it stops
// fetching, waits for the batches in flight (at most DrainTimeout), commits
// the final watermarks and leaves the group. It returns nil after a clean
// drain; errors joining the group are logged and retried, not returned.
// Run may be called once.
func (c *Consumer) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("kafkagroup: Run called twice")
	}
	defer c.transport.CloseIdleConnections()

	start := kafka.FirstOffset
	if c.cfg.StartFromNewest {
		start = kafka.LastOffset
	}
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                c.cfg.GroupID,
		Brokers:           c.cfg.Brokers,
		Topics:            c.cfg.Topics,
		HeartbeatInterval: c.cfg.HeartbeatInterval,
		SessionTimeout:    c.cfg.SessionTimeout,
		RebalanceTimeout:  c.cfg.RebalanceTimeout,
		JoinGroupBackoff:  time.Second,
		StartOffset:       start,
	})
	if err != nil {
		return fmt.Errorf("create consumer group %s: %w", c.cfg.GroupID, err)
	}

	for ctx.Err() == nil {
		gen, err := group.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, kafka.RebalanceInProgress) {
				c.log.Debug("rebalance in progress")
			} else {
				c.log.Warn("join consumer group", "err", err)
			}
			continue
		}
		c.m.rebalances.Inc()
		c.log.Info("joined consumer group", "generation", gen.ID, "member", gen.MemberID,
			"partitions", assignedCount(gen.Assignments))

		finished := make(chan struct{})
		gen.Start(func(gctx context.Context) {
			c.runGeneration(ctx, gctx, gen)
			close(finished)
			// Hold the generation open (heartbeats go on) until it ends
			// by itself or group.Close below ends it, so that a shutdown
			// leaves the group instead of rejoining it first.
			<-gctx.Done()
		})
		<-finished
	}

	// Leave the group; this also ends the generation held open above.
	if err := group.Close(); err != nil {
		c.log.Warn("leave consumer group", "err", err)
	}
	c.log.Info("consumer stopped")
	return nil
}

func assignedCount(a map[string][]kafka.PartitionAssignment) int {
	n := 0
	for _, ps := range a {
		n += len(ps)
	}
	return n
}

// runGeneration consumes the generation's assignments until runCtx or the
// generation ends, then drains and commits. Shutdown order: stop fetching →
// wait for in-flight batches (cancel them after DrainTimeout) → final
// commit → readers closed (by each partition as it stops).
func (c *Consumer) runGeneration(runCtx, genCtx context.Context, gen *kafka.Generation) {
	fetchCtx, stopFetch := context.WithCancel(runCtx)
	defer stopFetch()
	// Handler calls outlive the fetch context: a batch in flight at
	// shutdown still gets DrainTimeout to finish.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(runCtx))
	defer stopWork()

	parts := c.partitions(gen)
	c.mu.Lock()
	c.parts = parts
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.parts = nil
		c.mu.Unlock()
		for _, p := range parts {
			c.m.lag.DeleteLabelValues(p.topic, strconv.Itoa(p.id))
		}
	}()

	partsDone := make(chan struct{})
	var wg conc.WaitGroup
	wg.Go(func() {
		select {
		case <-genCtx.Done():
			c.log.Info("generation ended, draining", "generation", gen.ID)
			stopFetch()
		case <-fetchCtx.Done():
		}
	})
	wg.Go(func() {
		<-fetchCtx.Done()
		t := time.NewTimer(c.cfg.DrainTimeout)
		defer t.Stop()
		select {
		case <-t.C:
			c.log.Warn("drain timeout, abandoning in-flight batches", "timeout", c.cfg.DrainTimeout)
			stopWork()
		case <-partsDone:
		}
	})
	wg.Go(func() {
		t := time.NewTicker(c.cfg.CommitInterval)
		defer t.Stop()
		for {
			select {
			case <-partsDone:
				return
			case <-t.C:
				c.commit(gen, parts)
			}
		}
	})

	var pwg conc.WaitGroup
	for _, p := range parts {
		pwg.Go(func() { p.run(fetchCtx, workCtx) })
	}
	pwg.Wait()
	close(partsDone)
	wg.Wait()
	c.commit(gen, parts)
}

// partitions makes the workers of a generation's assignments.
func (c *Consumer) partitions(gen *kafka.Generation) []*partition {
	var parts []*partition
	for topic, as := range gen.Assignments {
		for _, a := range as {
			parts = append(parts, newPartition(c, topic, a.ID, a.Offset))
		}
	}
	slices.SortFunc(parts, func(a, b *partition) int {
		return cmp.Or(cmp.Compare(a.topic, b.topic), cmp.Compare(a.id, b.id))
	})
	return parts
}

// commit commits every partition whose watermark moved since its last
// commit, and refreshes the lag gauges.
func (c *Consumer) commit(gen *kafka.Generation, parts []*partition) {
	offsets := map[string]map[int]int64{}
	var moved []*partition
	for _, p := range parts {
		mark, ok := p.watermark()
		if !ok {
			continue
		}
		if lag, ok := p.lag(); ok {
			c.m.lag.WithLabelValues(p.topic, strconv.Itoa(p.id)).Set(float64(lag))
		}
		if mark <= p.lastCommit {
			continue
		}
		if offsets[p.topic] == nil {
			offsets[p.topic] = map[int]int64{}
		}
		offsets[p.topic][p.id] = mark
		moved = append(moved, p)
	}
	if len(moved) == 0 {
		return
	}
	if err := gen.CommitOffsets(offsets); err != nil {
		c.m.commits.WithLabelValues("error").Inc()
		c.log.Warn("commit offsets", "generation", gen.ID, "err", err)
		return
	}
	c.m.commits.WithLabelValues("ok").Inc()
	for _, p := range moved {
		p.lastCommit = offsets[p.topic][p.id]
		c.log.Debug("committed", "topic", p.topic, "partition", p.id, "offset", p.lastCommit)
	}
}

// Lag returns, for every partition assigned now, the records between its
// high watermark (as of the last fetch) and its commit watermark.
func (c *Consumer) Lag() map[string]map[int]int64 {
	c.mu.Lock()
	parts := c.parts
	c.mu.Unlock()
	out := map[string]map[int]int64{}
	for _, p := range parts {
		lag, ok := p.lag()
		if !ok {
			continue
		}
		if out[p.topic] == nil {
			out[p.topic] = map[int]int64{}
		}
		out[p.topic][p.id] = lag
	}
	return out
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Run is New followed by Consumer.Run, for callers that need neither Lag
// nor the Consumer.
func Run(ctx context.Context, cfg Config, h Handler, logger *slog.Logger, reg prometheus.Registerer) error {
	c, err := New(cfg, h, logger, reg)
	if err != nil {
		return err
	}
	return c.Run(ctx)
}
