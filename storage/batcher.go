package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/semaphore"
)

// ErrClosed is returned by writes after Close, and to callers whose rows
// could not be written before Close gave up (storage.flush_timeout).
var ErrClosed = errors.New("storage: store closed")

// chunk is one caller's rows for one table, already converted to column
// slices (one typed slice per column, in the order of names) so that the
// conversion cost is paid by the caller's goroutine, not the batcher's.
type chunk struct {
	names []string
	cols  []any
	n     int
	// keys identify each row for the deduplication token: the row id, plus
	// the version for tables where a newer version of an id is a new write.
	keys  []string
	bytes int64
}

// request is a chunk waiting for its batch; done receives the outcome once.
type request struct {
	c      *chunk
	done   chan error
	queued time.Time // when the caller queued it: batch_wait counts from here
}

// batcher is the group commit of one table: requests from concurrent
// callers are gathered until BatchRows rows or the table's batch wait, then written as one
// INSERT. One INSERT per table is in flight at a time; the next batch
// gathers meanwhile. Rows waiting are bounded by a weighted semaphore of
// QueueRows (+ the chunk being admitted), so callers block when ClickHouse
// is slow or down: backpressure, never loss.
type batcher struct {
	table  string
	insert string // INSERT INTO db.table (columns)
	conn   driver.Conn
	cfg    *Config
	wait   time.Duration // batch_wait of this table
	log    *slog.Logger
	m      *metrics
	sem    *semaphore.Weighted
	in     chan *request
	abort  context.Context // cancelled when Close gives up retrying

	closeMu sync.RWMutex
	closed  bool
	done    chan struct{}
}

func newBatcher(table, database string, names []string, wait time.Duration, conn driver.Conn, cfg *Config,
	log *slog.Logger, m *metrics, abort context.Context) *batcher {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	b := &batcher{
		table:  table,
		insert: fmt.Sprintf("INSERT INTO `%s`.`%s` (%s)", database, table, strings.Join(quoted, ", ")),
		conn:   conn,
		cfg:    cfg,
		log:    log.With("table", table),
		m:      m,
		wait:   wait,
		sem:    semaphore.NewWeighted(int64(cfg.QueueRows)),
		in:     make(chan *request, 1024),
		abort:  abort,
		done:   make(chan struct{}),
	}
	go b.run()
	return b
}

// write splits items into chunks of at most BatchRows, queues them and waits
// until every chunk is durable. When ctx ends first it returns ctx.Err(); the
// queued rows may still be written (writes are idempotent, so the caller's
// retry is harmless).
func write[T any](ctx context.Context, b *batcher, items []T, encode func([]T) (*chunk, error)) error {
	if len(items) == 0 {
		return nil
	}
	var reqs []*request
	for start := 0; start < len(items); start += b.cfg.BatchRows {
		end := min(start+b.cfg.BatchRows, len(items))
		c, err := encode(items[start:end])
		if err != nil {
			return fmt.Errorf("encode %s rows: %w", b.table, err)
		}
		r, err := b.submit(ctx, c)
		if err != nil {
			return err
		}
		reqs = append(reqs, r)
	}
	for _, r := range reqs {
		select {
		case err := <-r.done:
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// submit admits a chunk, blocking while the table's queue is full.
func (b *batcher) submit(ctx context.Context, c *chunk) (*request, error) {
	if err := b.sem.Acquire(ctx, int64(c.n)); err != nil {
		return nil, err
	}
	r := &request{c: c, done: make(chan error, 1), queued: time.Now()}
	b.closeMu.RLock()
	defer b.closeMu.RUnlock()
	if b.closed {
		b.sem.Release(int64(c.n))
		return nil, ErrClosed
	}
	b.m.queueDepth.WithLabelValues(b.table).Add(float64(c.n))
	select {
	case b.in <- r:
		return r, nil
	case <-ctx.Done():
		b.m.queueDepth.WithLabelValues(b.table).Sub(float64(c.n))
		b.sem.Release(int64(c.n))
		return nil, ctx.Err()
	}
}

// close stops intake; run flushes what is queued and exits.
func (b *batcher) close() {
	b.closeMu.Lock()
	if !b.closed {
		b.closed = true
		close(b.in)
	}
	b.closeMu.Unlock()
}

func (b *batcher) run() {
	defer close(b.done)
	var (
		pending []*request
		rows    int
		closed  bool
		timer   = time.NewTimer(time.Hour)
	)
	timer.Stop()
	add := func(r *request) {
		if len(pending) == 0 {
			// Rows that queued while the previous INSERT ran have already
			// waited: the batch is due batch_wait after its first row was
			// queued, not after run picked it up.
			timer.Reset(max(b.wait-time.Since(r.queued), 0))
		}
		pending = append(pending, r)
		rows += r.c.n
	}
	for !closed {
		select {
		case r, ok := <-b.in:
			if !ok {
				closed = true
				break
			}
			if add(r); rows < b.cfg.BatchRows {
				continue
			}
		case <-timer.C:
			// Due: take what is already queued too (up to batch_rows),
			// so that a backlog is not sent a request at a time.
		drain:
			for rows < b.cfg.BatchRows {
				select {
				case r, ok := <-b.in:
					if !ok {
						closed = true
						break drain
					}
					add(r)
				default:
					break drain
				}
			}
		}
		timer.Stop()
		if len(pending) > 0 {
			b.flush(pending)
		}
		pending, rows = nil, 0
	}
}

// flush writes reqs as one INSERT and tells every caller the outcome.
func (b *batcher) flush(reqs []*request) {
	start := time.Now()
	rows, bytes := 0, int64(0)
	for _, r := range reqs {
		rows += r.c.n
		bytes += r.c.bytes
	}
	err := b.insertWithRetry(reqs)
	var perm *permanentError
	if errors.As(err, &perm) && len(reqs) > 1 {
		// One caller's rows must not fail the others': write each alone.
		for _, r := range reqs {
			b.flush([]*request{r})
		}
		return
	}
	if err != nil {
		b.m.failures.WithLabelValues(b.table).Inc()
		b.log.Error("write batch", "rows", rows, "err", err)
		err = fmt.Errorf("write %s batch: %w", b.table, err)
	} else {
		b.m.rows.WithLabelValues(b.table).Add(float64(rows))
		b.m.bytes.WithLabelValues(b.table).Add(float64(bytes))
		b.m.batches.WithLabelValues(b.table).Inc()
		b.m.latency.WithLabelValues(b.table).Observe(time.Since(start).Seconds())
	}
	for _, r := range reqs {
		r.done <- err
		b.sem.Release(int64(r.c.n))
	}
	b.m.queueDepth.WithLabelValues(b.table).Sub(float64(rows))
}

// insertWithRetry sends the batch until it is acknowledged, retrying
// retryable errors with capped exponential backoff and jitter. Every attempt
// carries the same deduplication token, so an attempt whose acknowledgement
// was lost is not stored twice.
func (b *batcher) insertWithRetry(reqs []*request) error {
	token := dedupToken(b.table, reqs)
	backoff := b.cfg.RetryBackoff
	for attempt := 1; ; attempt++ {
		err := b.insertOnce(reqs, token)
		if err == nil {
			if attempt > 1 {
				b.log.Info("write batch succeeded after retries", "attempts", attempt)
			}
			return nil
		}
		if !retryable(err) {
			return err
		}
		if b.cfg.MaxRetries > 0 && attempt > b.cfg.MaxRetries {
			return fmt.Errorf("giving up after %d attempts: %w", attempt, err)
		}
		b.m.retries.WithLabelValues(b.table).Inc()
		sleep := backoff/2 + rand.N(backoff/2+1)
		b.log.Warn("write batch failed, retrying", "attempt", attempt, "backoff", sleep, "err", err)
		select {
		case <-time.After(sleep):
		case <-b.abort.Done():
			return fmt.Errorf("%w (last error: %w)", ErrClosed, err)
		}
		backoff = min(2*backoff, b.cfg.RetryBackoffMax)
	}
}

// flushRows is the number of rows sent as one block of an INSERT (the last
// block of an INSERT may be smaller).
const flushRows = 1024

// rowsOf returns rows [from, to) of a chunk's column, a slice of any type.
func rowsOf(col any, from, to int) any {
	return reflect.ValueOf(col).Slice(from, to).Interface()
}

func (b *batcher) insertOnce(reqs []*request, token string) error {
	// The context is the batcher's, which ends only when Close gives up,
	// never one cancelled when this call returns: clickhouse-go's Send
	// watches the context with a goroutine that closes the connection when
	// it ends, and a cancel right after Send can reach that goroutine after
	// the connection went back to the pool, closing it under another
	// INSERT (seen under load: "use of closed network connection", and the
	// server's side of the reset). A stuck server is bounded by the
	// connection's read timeout instead.
	ctx := clickhouse.Context(b.abort, clickhouse.WithSettings(insertSettings(token, b.cfg.Cluster != "")))
	batch, err := b.conn.PrepareBatch(ctx, b.insert)
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer batch.Close()
	unsent := 0
	for _, r := range reqs {
		// Send the rows as blocks of flushRows: the server squashes the
		// blocks of one INSERT into one part (up to
		// min_insert_block_size_rows/bytes), and the client's column
		// buffers, new for every INSERT, grow only to one block instead
		// of to the whole batch (or to a caller's chunk), copying it at
		// every growth. A retry cuts the same blocks, so the
		// deduplication token still matches.
		for from := 0; from < r.c.n; {
			to := min(r.c.n, from+flushRows-unsent)
			for i, col := range r.c.cols {
				if from > 0 || to < r.c.n {
					col = rowsOf(col, from, to)
				}
				if err := batch.Column(i).Append(col); err != nil {
					_ = batch.Abort()
					return &permanentError{fmt.Errorf("append column %s: %w", r.c.names[i], err)}
				}
			}
			unsent += to - from
			from = to
			if unsent == flushRows {
				if err := batch.Flush(); err != nil {
					return fmt.Errorf("send insert block: %w", err)
				}
				unsent = 0
			}
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send insert: %w", err)
	}
	return nil
}

// insertSettings are set on every INSERT rather than left to the server:
// synchronous inserts (the call returns when the parts are written),
// deduplication on with the batch's own token (the token also spares the
// server from hashing every inserted byte to build a block id), no exception
// for a batch spanning many days (a replay of old data is not an error), and
// the two cost settings below. On a cluster the INSERT into the Distributed
// table waits for the shards.
func insertSettings(token string, cluster bool) clickhouse.Settings {
	s := clickhouse.Settings{
		"async_insert":                             0,
		"insert_deduplicate":                       1,
		"insert_deduplication_token":               token,
		"throw_on_max_partitions_per_insert_block": 0,
		// Duplicates of an id inside one INSERT collapse on merge like any
		// other duplicates (readers use FINAL, LIMIT 1 BY id or uniqExact);
		// collapsing them while inserting re-sorted every row of every
		// column and was half of the server's cost of an events INSERT.
		"optimize_on_insert": 0,
		// Send LowCardinality columns as plain strings: clickhouse-go
		// builds their dictionaries row by row through reflection and an
		// any-keyed map (a third of the client's column-append time); the
		// server builds its own dictionaries when writing the part anyway.
		"low_cardinality_allow_in_native_format": 0,
	}
	if cluster {
		s["distributed_foreground_insert"] = 1
	}
	return s
}

// dedupToken is a hash of the table and the sorted row keys of a batch: the
// same rows give the same token however the callers' chunks interleaved.
func dedupToken(table string, reqs []*request) string {
	n := 0
	for _, r := range reqs {
		n += len(r.c.keys)
	}
	keys := make([]string, 0, n)
	for _, r := range reqs {
		keys = append(keys, r.c.keys...)
	}
	slices.Sort(keys)
	h := sha256.New()
	h.Write([]byte(table))
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
	}
	return table + "-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// permanentError marks an error that retrying the same rows cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// retryableCodes are ClickHouse exception codes caused by load, the network
// or a replica's state rather than by the rows themselves.
var retryableCodes = map[int32]bool{
	3: true, 159: true, 164: false, 202: true, 203: true, 209: true, 210: true,
	236: true, 241: true, 242: true, 252: true, 279: true, 285: true, 319: true,
	394: true, 425: true, 439: true, 999: true, 1000: true,
}

// retryable reports whether an INSERT error may succeed later: network
// errors, timeouts and the load-related exceptions above. Other server
// exceptions (unknown table, type mismatch, ...) and encoding errors are
// permanent.
func retryable(err error) bool {
	var perm *permanentError
	if errors.As(err, &perm) {
		return false
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return retryableCodes[ex.Code]
	}
	return true
}
