package kafkagroup_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/internal/kafkagroup"
	"github.com/vigil-soc/vigil/internal/testenv"
)

// produce writes n records spread round-robin over partitions; each value
// is its sequence number.
func produce(t testing.TB, brokers []string, topic string, from, n int) {
	t.Helper()
	// Not kafka-go's shared default transport: its metadata cache predates
	// the test's topic.
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Transport: tr,
		Addr: kafka.TCP(brokers...), Topic: topic, Balancer: &kafka.RoundRobin{},
		BatchSize: 500, BatchTimeout: 5 * time.Millisecond, RequiredAcks: kafka.RequireAll,
	}
	defer w.Close()
	msgs := make([]kafka.Message, 0, n)
	for i := from; i < from+n; i++ {
		msgs = append(msgs, kafka.Message{Value: []byte(strconv.Itoa(i))})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		err := w.WriteMessages(ctx, msgs...)
		if err == nil {
			return
		}
		// Metadata of a new topic may take a moment to reach every broker.
		if !errors.Is(err, kafka.UnknownTopicOrPartition) || ctx.Err() != nil {
			t.Fatalf("produce: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// recorder is a Handler that records every value it was handed.
type recorder struct {
	mu      sync.Mutex
	seen    map[string]int // value → times handled successfully
	replays int
	last    map[int]int64 // partition → last offset handled
	order   error         // first out-of-order batch seen
	fail    func(b kafkagroup.Batch) error
	delay   func() time.Duration
}

func newRecorder() *recorder {
	return &recorder{seen: map[string]int{}, last: map[int]int64{}}
}

func (r *recorder) HandleBatch(ctx context.Context, b kafkagroup.Batch) error {
	if r.delay != nil {
		select {
		case <-time.After(r.delay()):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if r.fail != nil {
		if err := r.fail(b); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, m := range b.Messages {
		if i > 0 && m.Offset <= b.Messages[i-1].Offset && r.order == nil {
			r.order = fmt.Errorf("partition %d: offset %d after %d", b.Partition, m.Offset, b.Messages[i-1].Offset)
		}
		r.seen[string(m.Value)]++
	}
	if b.Replay {
		r.replays += len(b.Messages)
	}
	r.last[b.Partition] = max(r.last[b.Partition], b.Messages[len(b.Messages)-1].Offset)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

func (r *recorder) missing(from, n int) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var miss []int
	for i := from; i < from+n; i++ {
		if r.seen[strconv.Itoa(i)] == 0 {
			miss = append(miss, i)
		}
	}
	return miss
}

func testConfig(brokers []string, group, topic string) kafkagroup.Config {
	return kafkagroup.Config{
		Brokers: brokers, GroupID: group, Topics: []string{topic},
		MaxBatchRecords: 100, MaxWait: 50 * time.Millisecond, CommitInterval: 100 * time.Millisecond,
		SessionTimeout: 10 * time.Second, RebalanceTimeout: 10 * time.Second, HeartbeatInterval: 500 * time.Millisecond,
		DrainTimeout: 2 * time.Second, RetryBackoff: 10 * time.Millisecond, MaxRetryBackoff: 100 * time.Millisecond,
	}
}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("VIGIL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// start runs a consumer until the returned stop is called; stop waits for Run.
func start(t testing.TB, cfg kafkagroup.Config, h kafkagroup.Handler, reg prometheus.Registerer) (*kafkagroup.Consumer, func()) {
	t.Helper()
	c, err := kafkagroup.New(cfg, h, testLogger(t), reg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, testenv.Background(t, c.Run)
}

func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sum(m map[int]int64) int64 {
	var s int64
	for _, v := range m {
		s += v
	}
	return s
}

func TestConsumeAllAndCommit(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 3)
	const n = 3000
	produce(t, env.Brokers, topic, 0, n)

	rec := newRecorder()
	// Out-of-order completion within a partition: three batches in flight
	// with random handler latency.
	rec.delay = func() time.Duration { return time.Duration(rand.IntN(20)) * time.Millisecond }
	cfg := testConfig(env.Brokers, topic+"-g", topic)
	cfg.InFlightPerPartition = 3
	reg := prometheus.NewPedanticRegistry()
	c, stop := start(t, cfg, rec, reg)
	waitFor(t, "all records", 60*time.Second, func() bool { return rec.count() == n })
	waitFor(t, "zero lag", 10*time.Second, func() bool {
		lag := c.Lag()[topic]
		return len(lag) == 3 && lag[0]+lag[1]+lag[2] == 0
	})
	stop()

	if rec.order != nil {
		t.Fatal(rec.order)
	}
	for v, k := range rec.seen {
		if k != 1 {
			t.Errorf("value %s handled %d times", v, k)
		}
	}
	if got := sum(env.Committed(t, cfg.GroupID, topic, 3)); got != n {
		t.Fatalf("committed offsets sum to %d, want %d", got, n)
	}
	if got := counterSum(t, reg, "vigil_kafka_records_fetched_total"); got != n {
		t.Errorf("records_fetched_total = %v, want %d", got, n)
	}

	// A new member of the group starts at the commit: nothing is read again.
	rec2 := newRecorder()
	produce(t, env.Brokers, topic, n, 30)
	_, stop2 := start(t, cfg, rec2, nil)
	waitFor(t, "new records", 30*time.Second, func() bool { return rec2.count() == 30 })
	stop2()
	if miss := rec2.missing(n, 30); len(miss) > 0 || rec2.count() != 30 {
		t.Fatalf("second run saw %d records, missing %v; want exactly the 30 new ones", rec2.count(), miss)
	}
}

// counterSum sums a counter family across its series.
func counterSum(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}

func TestHandlerErrorsAreRetriedNotSkipped(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 2)
	const n = 500
	produce(t, env.Brokers, topic, 0, n)

	rec := newRecorder()
	var mu sync.Mutex
	failures := map[int]int{}
	rec.fail = func(b kafkagroup.Batch) error {
		mu.Lock()
		defer mu.Unlock()
		if failures[b.Partition] < 5 { // every partition fails its first five attempts
			failures[b.Partition]++
			return errors.New("sink down")
		}
		return nil
	}
	cfg := testConfig(env.Brokers, topic+"-g", topic)
	cfg.InFlightPerPartition = 1
	reg := prometheus.NewRegistry()
	_, stop := start(t, cfg, rec, reg)
	waitFor(t, "all records", 60*time.Second, func() bool { return rec.count() == n })
	stop()
	if miss := rec.missing(0, n); len(miss) > 0 {
		t.Fatalf("missing %v", miss)
	}
	if got := counterSum(t, reg, "vigil_kafka_handler_errors_total"); got != 10 {
		t.Errorf("handler_errors_total = %v, want 10", got)
	}
	if got := sum(env.Committed(t, cfg.GroupID, topic, 2)); got != n {
		t.Fatalf("committed offsets sum to %d, want %d", got, n)
	}
}

func TestUnfinishedWorkIsNotCommitted(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 1)
	const n = 300
	produce(t, env.Brokers, topic, 0, n)

	// The handler fails every batch from offset 200 on: shutdown must
	// commit 200 (or less), never beyond the failing batch.
	rec := newRecorder()
	rec.fail = func(b kafkagroup.Batch) error {
		if b.Messages[len(b.Messages)-1].Offset >= 200 {
			return errors.New("down")
		}
		return nil
	}
	cfg := testConfig(env.Brokers, topic+"-g", topic)
	cfg.DrainTimeout = 200 * time.Millisecond
	_, stop := start(t, cfg, rec, nil)
	waitFor(t, "first 200", 30*time.Second, func() bool { return rec.count() >= 200 })
	time.Sleep(300 * time.Millisecond) // some failing attempts
	stop()
	got := env.Committed(t, cfg.GroupID, topic, 1)[0]
	if got > 200 || got < 100 {
		t.Fatalf("committed %d, want in [100, 200]", got)
	}

	// The next run starts from there and gets everything after it.
	rec2 := newRecorder()
	_, stop2 := start(t, cfg, rec2, nil)
	waitFor(t, "the rest", 30*time.Second, func() bool { return rec2.count() == n-int(got) })
	stop2()
	if miss := rec2.missing(int(got), n-int(got)); len(miss) > 0 {
		t.Fatalf("missing %v", miss)
	}
}

func TestRebalanceLosesNothing(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 4)
	const n = 4000
	produce(t, env.Brokers, topic, 0, n)

	rec := newRecorder() // shared by both members: the union is what counts
	rec.delay = func() time.Duration { return 5 * time.Millisecond }
	cfg := testConfig(env.Brokers, topic+"-g", topic)
	_, stop1 := start(t, cfg, rec, nil)
	waitFor(t, "some records", 30*time.Second, func() bool { return rec.count() > 300 })
	_, stop2 := start(t, cfg, rec, nil) // joins mid-stream: rebalance
	produce(t, env.Brokers, topic, n, n)
	waitFor(t, "all records", 90*time.Second, func() bool { return rec.count() == 2*n })
	stop1() // leaves: another rebalance
	produce(t, env.Brokers, topic, 2*n, 100)
	waitFor(t, "records after the leave", 60*time.Second, func() bool { return rec.count() == 2*n+100 })
	stop2()
	if miss := rec.missing(0, 2*n+100); len(miss) > 0 {
		t.Fatalf("missing %d records, e.g. %v", len(miss), miss[:min(10, len(miss))])
	}
	dups := 0
	for _, k := range rec.seen {
		dups += k - 1
	}
	t.Logf("%d records, %d handled twice (uncommitted work at a rebalance)", 2*n+100, dups)
	if got := sum(env.Committed(t, cfg.GroupID, topic, 4)); got != 2*n+100 {
		t.Fatalf("committed offsets sum to %d, want %d", got, 2*n+100)
	}
}

// rewinder re-reads the last `back` records before the commit.
type rewinder struct {
	*recorder
	back int64
}

func (r rewinder) RewindTo(_ context.Context, _ string, _ int, committed int64) (int64, error) {
	return committed - r.back, nil
}

func TestRewinderReplaysBelowCommit(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 1)
	produce(t, env.Brokers, topic, 0, 100)
	cfg := testConfig(env.Brokers, topic+"-g", topic)

	rec := newRecorder()
	_, stop := start(t, cfg, rec, nil)
	waitFor(t, "first run", 30*time.Second, func() bool { return rec.count() == 100 })
	stop()

	produce(t, env.Brokers, topic, 100, 50)
	rw := rewinder{recorder: newRecorder(), back: 30}
	_, stop2 := start(t, cfg, rw, nil)
	waitFor(t, "replay and new", 30*time.Second, func() bool { return rw.count() == 80 })
	stop2()
	if rw.replays != 30 {
		t.Fatalf("replayed %d records, want 30", rw.replays)
	}
	if miss := rw.missing(70, 80); len(miss) > 0 {
		t.Fatalf("missing %v", miss)
	}
	if got := env.Committed(t, cfg.GroupID, topic, 1)[0]; got != 150 {
		t.Fatalf("committed %d, want 150", got)
	}

	// OffsetAtTime: far past → oldest offset; far future → end.
	if off, err := kafkagroup.OffsetAtTime(t.Context(), env.Brokers, topic, 0, time.Unix(0, 0)); err != nil || off != 0 {
		t.Errorf("OffsetAtTime(epoch) = %d, %v; want 0", off, err)
	}
	if off, err := kafkagroup.OffsetAtTime(t.Context(), env.Brokers, topic, 0, time.Now().Add(time.Hour)); err != nil || off != 150 {
		t.Errorf("OffsetAtTime(future) = %d, %v; want 150", off, err)
	}
}

// releaser releases every batch's slot at once and then blocks until
// unblock is closed, recording how many batches and records it held at most.
type releaser struct {
	mu         sync.Mutex
	held       int
	heldRecs   int
	maxHeldRec int
	seen       int
	unblock    chan struct{}
}

func (r *releaser) HandleBatch(ctx context.Context, b kafkagroup.Batch) error {
	r.mu.Lock()
	r.held++
	r.heldRecs += len(b.Messages)
	r.seen += len(b.Messages)
	r.maxHeldRec = max(r.maxHeldRec, r.heldRecs)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.held--
		r.heldRecs -= len(b.Messages)
		r.mu.Unlock()
	}()
	b.Release()
	select {
	case <-r.unblock:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *releaser) state() (held, maxHeldRecords, seen int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held, r.maxHeldRec, r.seen
}

func TestReleasedBatchesLetTheNextStartButHoldTheCommit(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 1)
	const n = 1000
	produce(t, env.Brokers, topic, 0, n)

	// One batch at work at a time, but a batch that released its slot only
	// waits for durability: the next ones start, up to 250 records pending
	// (batches of at most 100).
	h := &releaser{unblock: make(chan struct{})}
	cfg := testConfig(env.Brokers, topic+"-g", topic)
	cfg.InFlightPerPartition = 1
	cfg.MaxPendingRecords = 250
	_, stop := start(t, cfg, h, nil)
	waitFor(t, "several pending batches", 30*time.Second, func() bool { held, _, _ := h.state(); return held >= 2 })
	time.Sleep(500 * time.Millisecond) // more would have started by now
	if held, maxRecs, _ := h.state(); maxRecs > 250 || maxRecs < 150 {
		t.Fatalf("%d records in %d batches with the handler at once, want at most MaxPendingRecords = 250 and more than one batch's 100", maxRecs, held)
	}
	time.Sleep(2 * cfg.CommitInterval)
	if got := env.Committed(t, cfg.GroupID, topic, 1)[0]; got > 0 {
		t.Fatalf("committed %d while every batch so far is still pending", got)
	}
	close(h.unblock)
	waitFor(t, "all records", 30*time.Second, func() bool { _, _, seen := h.state(); return seen == n })
	stop()
	if got := env.Committed(t, cfg.GroupID, topic, 1)[0]; got != n {
		t.Fatalf("committed %d, want %d", got, n)
	}
}
