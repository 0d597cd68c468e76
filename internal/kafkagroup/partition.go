package kafkagroup

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/sourcegraph/conc"
	"golang.org/x/sync/semaphore"
)

// partition is the worker of one assigned partition for one generation.
type partition struct {
	c        *Consumer
	topic    string
	id       int
	assigned int64 // offset from the assignment: committed, or kafka.FirstOffset/LastOffset

	committed  int64 // the group's committed offset, resolved to an absolute offset
	lastCommit int64 // last offset this consumer committed (commit goroutine only)
	wm         atomic.Pointer[watermark]
	hwm        atomic.Int64 // high watermark seen on the last fetched record; -1 before

	reader *kafka.Reader
	carry  *kafka.Message // read but not yet in a batch

	fetched, batches, errs, retries, abandoned, fetchErrs prometheus.Counter
	batchRecords, handleTime                              prometheus.Observer
}

func newPartition(c *Consumer, topic string, id int, assigned int64) *partition {
	p := &partition{
		c: c, topic: topic, id: id, assigned: assigned, lastCommit: -1,
		fetched:      c.m.fetched.WithLabelValues(topic),
		batches:      c.m.batches.WithLabelValues(topic),
		errs:         c.m.errors.WithLabelValues(topic),
		retries:      c.m.retries.WithLabelValues(topic),
		abandoned:    c.m.abandoned.WithLabelValues(topic),
		fetchErrs:    c.m.fetchErrors.WithLabelValues(topic),
		batchRecords: c.m.batchRecords.WithLabelValues(topic),
		handleTime:   c.m.handleTime.WithLabelValues(topic),
	}
	p.hwm.Store(-1)
	return p
}

// watermark returns the commit watermark, once the partition has started.
func (p *partition) watermark() (int64, bool) {
	w := p.wm.Load()
	if w == nil {
		return 0, false
	}
	mark, _ := w.offset()
	return mark, true
}

// lag is the high watermark minus the commit watermark.
func (p *partition) lag() (int64, bool) {
	mark, ok := p.watermark()
	hwm := p.hwm.Load()
	if !ok || hwm < 0 {
		return 0, false
	}
	return max(hwm-mark, 0), true
}

// run reads the partition and hands its batches to the handler until ctx
// ends, then waits for the batches in flight. Handler calls get work, which
// outlives ctx by the drain timeout.
func (p *partition) run(ctx, work context.Context) {
	log := p.c.log.With("topic", p.topic, "partition", p.id)
	start, ok := p.prepare(ctx, log)
	if !ok {
		return
	}
	cfg := p.c.cfg
	p.reader = kafka.NewReader(kafka.ReaderConfig{
		Brokers:   cfg.Brokers,
		Topic:     p.topic,
		Partition: p.id,
		MinBytes:  cfg.FetchMinBytes,
		MaxBytes:  cfg.MaxBatchBytes,
		// kafka-go sets the read deadline MaxWait ahead and asks the broker
		// to wait MaxWait minus a round-trip allowance of 1s (a quarter of
		// MaxWait below 1s). MaxWait = FetchWait alone would leave 25ms for
		// the answer to arrive, which a busy machine misses ("i/o timeout",
		// a reconnect); this way the broker waits FetchWait and the answer
		// has a second.
		MaxWait:       cfg.FetchWait + time.Second,
		QueueCapacity: min(100, cfg.MaxBatchRecords),
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...any) {
			log.Warn("kafka reader", "detail", fmt.Sprintf(msg, args...))
		}),
	})
	if err := p.reader.SetOffset(start); err != nil {
		log.Error("set reader offset", "offset", start, "err", err)
	}
	log.Info("partition assigned", "committed", p.committed, "start", start)

	// At most InFlightPerPartition batches at work in the handler, and
	// MaxPendingRecords records in all (with the batches that released
	// their slot and wait to become durable), plus the batch being cut: a
	// slow handler stops the fetching.
	slots := make(chan struct{}, cfg.InFlightPerPartition)
	pending := semaphore.NewWeighted(int64(cfg.MaxPendingRecords))
	var wg conc.WaitGroup
	for {
		b, next, ok := p.nextBatch(ctx, log)
		if !ok {
			break
		}
		// A batch larger than the bound (a small bound, a huge batch) takes
		// all of it rather than waiting forever.
		weight := min(int64(len(b.Messages)), int64(cfg.MaxPendingRecords))
		if pending.Acquire(ctx, weight) != nil {
			break // the batch was not handed over: it is read again later
		}
		slot := false
		select {
		case slots <- struct{}{}:
			slot = true
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			if slot {
				<-slots
			}
			pending.Release(weight)
			break
		}
		ticket := p.wm.Load().dispatch(next)
		p.batchRecords.Observe(float64(len(b.Messages)))
		var release sync.Once
		b.Release = func() { release.Do(func() { <-slots }) }
		wg.Go(func() {
			defer func() {
				b.Release()
				pending.Release(weight)
			}()
			if p.handle(work, b, log) {
				p.wm.Load().finish(ticket)
				return
			}
			p.abandoned.Inc()
			log.Warn("batch abandoned, not committed", "first_offset", b.Messages[0].Offset, "records", len(b.Messages))
		})
	}
	if err := p.reader.Close(); err != nil {
		log.Warn("close reader", "err", err)
	}
	wg.Wait()
	mark, _ := p.watermark()
	log.Info("partition stopped", "watermark", mark)
}

// prepare resolves the committed offset, asks the Rewinder (if any) where to
// start, and sets up the watermark. It retries until ctx ends; ok is false
// then.
func (p *partition) prepare(ctx context.Context, log *slog.Logger) (start int64, ok bool) {
	cfg := p.c.cfg
	committed := p.assigned
	for attempt := 0; committed < 0; attempt++ {
		off, err := boundaryOffset(ctx, p.c.client, p.topic, p.id, committed)
		if err == nil {
			committed = off
			break
		}
		log.Warn("resolve start offset", "err", err)
		if !sleep(ctx, backoff(attempt, cfg.RetryBackoff, cfg.MaxRetryBackoff)) {
			return 0, false
		}
	}
	start = committed
	if p.c.rw != nil {
		for attempt := 0; ; attempt++ {
			s, err := p.c.rw.RewindTo(ctx, p.topic, p.id, committed)
			if err == nil {
				start = s
				break
			}
			log.Warn("rewind partition", "committed", committed, "err", err)
			if !sleep(ctx, backoff(attempt, cfg.RetryBackoff, cfg.MaxRetryBackoff)) {
				return 0, false
			}
		}
		if start > committed {
			log.Warn("rewind past the committed offset ignored", "committed", committed, "rewind", start)
			start = committed
		}
		// Below the log start the reader skips ahead to the oldest record.
		start = max(start, 0)
	}
	p.committed = committed
	p.lastCommit = committed
	p.wm.Store(newWatermark(start))
	return start, true
}

// nextBatch cuts the next batch: it returns when MaxBatchRecords or
// MaxBatchBytes is reached, MaxWait after its first record, or at the
// boundary between replayed and new records. ok is false when ctx ended; a
// partial batch is then dropped, unhandled and uncommitted.
func (p *partition) nextBatch(ctx context.Context, log *slog.Logger) (b Batch, next int64, ok bool) {
	cfg := p.c.cfg
	var (
		msgs   []kafka.Message
		bytes  int
		replay bool
		timer  *time.Timer
	)
	// fctx ends MaxWait after the batch's first record.
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	if p.carry != nil {
		m := *p.carry
		p.carry = nil
		msgs = append(msgs, m)
		bytes = msgSize(&m)
		replay = m.Offset < p.committed
	}
	for errCount := 0; len(msgs) < cfg.MaxBatchRecords && bytes < cfg.MaxBatchBytes; {
		if len(msgs) > 0 && timer == nil {
			timer = time.AfterFunc(cfg.MaxWait, cancel)
		}
		m, err := p.reader.FetchMessage(fctx)
		if err != nil {
			if ctx.Err() != nil {
				return Batch{}, 0, false
			}
			if fctx.Err() != nil {
				break // MaxWait passed: hand over what there is
			}
			p.fetchErrs.Inc()
			log.Warn("fetch", "err", err)
			if !sleep(fctx, backoff(errCount, cfg.RetryBackoff, cfg.MaxRetryBackoff)) {
				if ctx.Err() != nil {
					return Batch{}, 0, false
				}
				break
			}
			errCount++
			continue
		}
		errCount = 0
		p.fetched.Inc()
		p.hwm.Store(m.HighWaterMark)
		r := m.Offset < p.committed
		if len(msgs) > 0 && (r != replay || bytes+msgSize(&m) > cfg.MaxBatchBytes) {
			p.carry = &m
			break
		}
		replay = r
		msgs = append(msgs, m)
		bytes += msgSize(&m)
	}
	b = Batch{Topic: p.topic, Partition: p.id, Messages: msgs, Replay: replay}
	return b, msgs[len(msgs)-1].Offset + 1, true
}

func msgSize(m *kafka.Message) int { return len(m.Key) + len(m.Value) }

// handle hands b to the handler until it succeeds (true) or ctx ends
// (false), backing off exponentially between attempts.
func (p *partition) handle(ctx context.Context, b Batch, log *slog.Logger) bool {
	cfg := p.c.cfg
	for attempt := 0; ; attempt++ {
		t0 := time.Now()
		err := p.c.h.HandleBatch(ctx, b)
		p.handleTime.Observe(time.Since(t0).Seconds())
		if err == nil {
			p.batches.Inc()
			return true
		}
		p.errs.Inc()
		if ctx.Err() != nil {
			return false
		}
		wait := backoff(attempt, cfg.RetryBackoff, cfg.MaxRetryBackoff)
		log.Warn("handle batch, will retry", "first_offset", b.Messages[0].Offset,
			"records", len(b.Messages), "attempt", attempt+1, "retry_in", wait, "err", err)
		if !sleep(ctx, wait) {
			return false
		}
		p.retries.Inc()
	}
}

// backoff is min·2^attempt, capped at max.
func backoff(attempt int, minD, maxD time.Duration) time.Duration {
	d := minD
	for range attempt {
		d *= 2
		if d >= maxD {
			return maxD
		}
	}
	return min(d, maxD)
}
