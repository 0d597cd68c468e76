package ingest_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/ingest"
	"github.com/vigil-soc/vigil/internal/testenv"
)

// fileSink appends every event id to a file and syncs it before returning:
// what it acknowledged survives a SIGKILL.
type fileSink struct {
	mu    sync.Mutex
	f     *os.File
	delay time.Duration
}

func (s *fileSink) Process(ctx context.Context, b ingest.Batch) error {
	time.Sleep(s.delay)
	var sb strings.Builder
	for _, e := range b.Events {
		sb.WriteString(e.Event.ID)
		sb.WriteByte('\n')
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.WriteString(sb.String()); err != nil {
		return err
	}
	return s.f.Sync()
}

// TestIngestChild is the ingester the kill test starts in a process of its
// own and kills; it does nothing unless VIGIL_INGEST_CHILD is set.
func TestIngestChild(t *testing.T) {
	args := os.Getenv("VIGIL_INGEST_CHILD")
	if args == "" {
		t.Skip("started by TestKillRestartLosesNothing")
	}
	p := strings.Split(args, "|") // brokers|topic|group|file
	f, err := os.OpenFile(p[3], os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg := testConfig(strings.Split(p[0], ","), p[2], ingest.TopicConfig{Name: p[1], Source: "ecs"})
	cfg.BatchRecords = 50
	stop := runIngester(t, cfg, &fileSink{f: f, delay: 5 * time.Millisecond}, nil)
	defer stop()
	time.Sleep(5 * time.Minute) // until killed
}

func readIDs(t testing.TB, file string) map[string]int {
	t.Helper()
	out := map[string]int{}
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out[sc.Text()]++
	}
	return out
}

// idSink records event ids with their origin, in memory.
type idSink struct {
	mu   sync.Mutex
	ids  map[string]int
	pos  map[string][2]int64 // id → partition, offset
	fail atomic.Int32        // fail this many more calls
}

func (s *idSink) Process(_ context.Context, b ingest.Batch) error {
	if s.fail.Load() > 0 {
		s.fail.Add(-1)
		return errors.New("sink unavailable")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range b.Events {
		s.ids[e.Event.ID]++
		s.pos[e.Event.ID] = [2]int64{int64(e.Origin.Partition), e.Origin.Offset}
	}
	return nil
}

func (s *idSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// TestKillRestartLosesNothing: an ingester in its own process is killed
// with SIGKILL mid-stream; a new one in the same group, whose sink fails
// for a while and which a second member joins (a rebalance), finishes the
// stream. Every record is stored; only what was not committed at the kill
// is stored twice.
func TestKillRestartLosesNothing(t *testing.T) {
	env := testenv.Kafka(t)
	const partitions, n = 3, 6000
	topic := env.Topic(t, partitions)
	group := topic + "-g"
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = ecsRecord(i)
	}
	produce(t, env.Brokers, topic, msgs)

	file := t.TempDir() + "/ids"
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestIngestChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "VIGIL_INGEST_CHILD="+strings.Join([]string{strings.Join(env.Brokers, ","), topic, group, file}, "|"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the child to store a third", 60*time.Second, func() bool { return len(readIDs(t, file)) >= n/3 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	first := readIDs(t, file)
	at := env.Committed(t, group, topic, partitions)
	t.Logf("killed after storing %d of %d; committed %v", len(first), n, at)

	// Restart: the sink fails its first calls, then a second member joins.
	sink := &idSink{ids: map[string]int{}, pos: map[string][2]int64{}}
	sink.fail.Store(5)
	cfg := testConfig(env.Brokers, group, ingest.TopicConfig{Name: topic, Source: "ecs"})
	cfg.BatchRecords = 50
	stop1 := runIngester(t, cfg, sink, nil)
	waitFor(t, "progress after the restart", 60*time.Second, func() bool { return sink.count() > 500 })
	stop2 := runIngester(t, cfg, sink, nil)
	waitFor(t, "the rest of the stream", 90*time.Second, func() bool {
		return len(first)+sink.count() >= n && covered(first, sink, n)
	})
	stop2()
	stop1()

	// No loss: everything is stored by one run or the other.
	if !covered(first, sink, n) {
		t.Fatal("records lost")
	}
	// Everything below the commit at the kill was stored by the first run,
	// and the second run read nothing below it.
	for id, pos := range sink.pos {
		if c, ok := at[int(pos[0])]; ok && c >= 0 && pos[1] < c {
			t.Errorf("event %s at %d/%d re-read below the committed offset %d", id, pos[0], pos[1], c)
		}
	}
	dups := 0
	for id := range sink.ids {
		if first[id] > 0 {
			dups++
		}
	}
	t.Logf("first run %d, second run %d, stored twice %d (uncommitted at the kill)", len(first), sink.count(), dups)
	if got := sumOffsets(env.Committed(t, group, topic, partitions)); got != n {
		t.Errorf("final committed offsets sum to %d, want %d", got, n)
	}
}

func covered(first map[string]int, s *idSink, n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range n {
		id := "ev-" + strconv.Itoa(i)
		if first[id] == 0 && s.ids[id] == 0 {
			return false
		}
	}
	return true
}

func sumOffsets(m map[int]int64) int64 {
	var s int64
	for _, v := range m {
		s += v
	}
	return s
}
