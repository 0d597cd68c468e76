package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"
	"github.com/sourcegraph/conc/pool"
)

// CeilingTable is the table the ceiling copy writes: the raw record and
// where it came from, nothing parsed.
const CeilingTable = `CREATE TABLE IF NOT EXISTS raw (
	topic     LowCardinality(String),
	partition Int32,
	offset    Int64,
	key       String,
	value     String,
	timestamp DateTime64(3, 'UTC'),
	stored_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree ORDER BY (topic, partition, offset)`

// Copy is the ceiling: the least work a Kafka → ClickHouse pipeline can do
// with the same client libraries as vigil (kafka-go consumer group,
// clickhouse-go batch insert), committing offsets only after the insert.
type Copy struct {
	Brokers []string
	Group   string
	Topics  []string
	Conn    driver.Conn // default database = the copy's database
	// Workers is the number of group members (each a kafka-go Reader with
	// its own insert batches); default 2.
	Workers int
	// Done reports whether the copy is complete; Run polls it twice a
	// second. A rebalance re-delivers uncommitted records, so counting
	// inserted rows is not enough: pass a check of the group's committed
	// offsets (commits follow inserts, so lag 0 means all is stored).
	Done func(ctx context.Context) bool
	// BatchRows and BatchWait flush a worker's batch (defaults 10000 rows,
	// 200 ms), like vigil's ingest batches.
	BatchRows int
	BatchWait time.Duration
}

// Run copies until want records were inserted, then stops the readers.
// It returns the number of rows inserted.
func (c *Copy) Run(ctx context.Context, want int64) (int64, error) {
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.BatchRows <= 0 {
		c.BatchRows = 10000
	}
	if c.BatchWait <= 0 {
		c.BatchWait = 200 * time.Millisecond
	}
	if err := c.Conn.Exec(ctx, CeilingTable); err != nil {
		return 0, fmt.Errorf("create table raw: %w", err)
	}
	var (
		inserted atomic.Int64
		doneOnce sync.Once
		done     = make(chan struct{})
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g := pool.New().WithContext(ctx).WithCancelOnError()
	for range c.Workers {
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers:           c.Brokers,
			GroupID:           c.Group,
			GroupTopics:       c.Topics,
			StartOffset:       kafka.FirstOffset,
			MinBytes:          1,
			MaxBytes:          16 << 20,
			MaxWait:           100 * time.Millisecond,
			QueueCapacity:     10000,
			HeartbeatInterval: time.Second,
			SessionTimeout:    10 * time.Second,
			CommitInterval:    0, // synchronous commits, after the insert
		})
		g.Go(func(gctx context.Context) error {
			defer r.Close()
			err := c.worker(gctx, r, &inserted, func() {}, done)
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		})
	}
	var err error
	waited := make(chan struct{})
	go func() { err = g.Wait(); close(waited) }()
	go func() {
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if inserted.Load() >= want && (c.Done == nil || c.Done(ctx)) {
				doneOnce.Do(func() { close(done) })
				return
			}
		}
	}()
	select {
	case <-done:
		cancel()
		<-waited
	case <-waited:
	}
	if n := inserted.Load(); n >= want {
		return n, nil
	}
	if err == nil {
		err = ctx.Err()
	}
	return inserted.Load(), fmt.Errorf("copy stopped after %d of %d records: %w", inserted.Load(), want, err)
}

var errStop = errors.New("stop")

func (c *Copy) worker(ctx context.Context, r *kafka.Reader, inserted *atomic.Int64, progress func(), done <-chan struct{}) error {
	msgs := make([]kafka.Message, 0, c.BatchRows)
	for {
		deadline := time.Now().Add(c.BatchWait)
		for len(msgs) < c.BatchRows {
			fctx, cancel := context.WithDeadline(ctx, deadline)
			m, err := r.FetchMessage(fctx)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return errStop
				}
				if errors.Is(err, context.DeadlineExceeded) {
					break
				}
				return fmt.Errorf("fetch: %w", err)
			}
			msgs = append(msgs, m)
		}
		select {
		case <-done:
			return errStop
		default:
		}
		if len(msgs) == 0 {
			continue
		}
		if err := c.insert(ctx, msgs); err != nil {
			if ctx.Err() != nil {
				return errStop
			}
			return err
		}
		if err := r.CommitMessages(ctx, msgs...); err != nil {
			if ctx.Err() != nil {
				return errStop
			}
			return fmt.Errorf("commit: %w", err)
		}
		inserted.Add(int64(len(msgs)))
		progress()
		msgs = msgs[:0]
	}
}

func (c *Copy) insert(ctx context.Context, msgs []kafka.Message) error {
	b, err := c.Conn.PrepareBatch(ctx, "INSERT INTO raw (topic, partition, offset, key, value, timestamp)")
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	for _, m := range msgs {
		if err := b.Append(m.Topic, int32(m.Partition), m.Offset, string(m.Key), string(m.Value), m.Time); err != nil {
			_ = b.Abort()
			return fmt.Errorf("append row: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert %d rows: %w", len(msgs), err)
	}
	return nil
}

// StoredSpan summarises what the copy stored: rows, distinct origins, and
// the server-side insert times of the first and last row.
type StoredSpan struct {
	Rows     uint64
	Distinct uint64
	First    time.Time
	Last     time.Time
}

// Span queries a table with columns (origin key expression, stored_at).
func Span(ctx context.Context, conn driver.Conn, table, originExpr string) (StoredSpan, error) {
	var s StoredSpan
	q := fmt.Sprintf("SELECT count(), uniqExact(%s), min(stored_at), max(stored_at) FROM %s", originExpr, table)
	if err := conn.QueryRow(ctx, q).Scan(&s.Rows, &s.Distinct, &s.First, &s.Last); err != nil {
		return s, fmt.Errorf("query %s: %w", table, err)
	}
	return s, nil
}
