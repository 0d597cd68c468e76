package ingest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest"
	"github.com/vigil-soc/vigil/ingest/parse"
	"github.com/vigil-soc/vigil/internal/testenv"
)

// memSink records the events it is handed; fail, when set, makes a call
// fail instead.
type memSink struct {
	mu      sync.Mutex
	events  []event.Event
	records int
	fail    func() error
}

func (s *memSink) Process(_ context.Context, b ingest.Batch) error {
	if s.fail != nil {
		if err := s.fail(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, b.Events...)
	s.records += b.Records
	return nil
}

func (s *memSink) ids() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, e := range s.events {
		out[e.Event.ID]++
	}
	return out
}

func logger() *slog.Logger {
	if os.Getenv("VIGIL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func produce(t testing.TB, brokers []string, topic string, msgs []kafka.Message) {
	t.Helper()
	// Not kafka-go's shared default transport: its metadata cache predates
	// the test's topic.
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Transport: tr,
		Addr: kafka.TCP(brokers...), Topic: topic, Balancer: &kafka.RoundRobin{},
		BatchSize: 500, BatchTimeout: 5 * time.Millisecond, RequiredAcks: kafka.RequireAll,
		BatchBytes: 4 << 20,
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	for {
		err := w.WriteMessages(ctx, msgs...)
		if err == nil {
			return
		}
		if !errors.Is(err, kafka.UnknownTopicOrPartition) || ctx.Err() != nil {
			t.Fatalf("produce: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// runIngester runs an Ingester until the returned stop is called.
func runIngester(t testing.TB, cfg ingest.Config, sink ingest.Sink, reg prometheus.Registerer) func() {
	t.Helper()
	in, err := ingest.New(cfg, parse.NewRegistry(), sink, logger(), reg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return testenv.Background(t, in.Run)
}

func testConfig(brokers []string, group string, topics ...ingest.TopicConfig) ingest.Config {
	return ingest.Config{
		Brokers: brokers, GroupID: group, Topics: topics,
		BatchRecords: 200, BatchWait: 50 * time.Millisecond, CommitInterval: 100 * time.Millisecond,
		SessionTimeout: 6 * time.Second, RebalanceTimeout: 10 * time.Second, HeartbeatInterval: 500 * time.Millisecond,
		DrainTimeout: 3 * time.Second,
	}
}

// samples reads one record per line of every *.jsonl and *.log file and one
// record per *.json file in ingest/parse/testdata.
func samples(t testing.TB) (values [][]byte, files []string) {
	t.Helper()
	paths, _ := filepath.Glob("parse/testdata/*")
	for _, p := range paths {
		if ext := filepath.Ext(p); ext != ".json" && ext != ".jsonl" && ext != ".log" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(p) {
		case ".json":
			values = append(values, bytes.TrimSpace(b))
			files = append(files, filepath.Base(p))
		case ".jsonl", ".log":
			sc := bufio.NewScanner(bytes.NewReader(b))
			sc.Buffer(nil, 4<<20)
			for sc.Scan() {
				if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
					values = append(values, append([]byte(nil), line...))
					files = append(files, filepath.Base(p))
				}
			}
		}
	}
	if len(values) == 0 {
		t.Fatal("no samples in parse/testdata")
	}
	return values, files
}

// TestMixedStream: samples of every source, garbage and oversized records
// go through one topic; every good record comes out exactly as the parser
// makes it, every bad one lands in the DLQ with its reason, and the counts
// add up.
func TestMixedStream(t *testing.T) {
	env := testenv.Kafka(t)
	topic := env.Topic(t, 1) // one partition: offset i is record i
	dlq := env.Topic(t, 1)

	values, files := samples(t)
	garbage := [][]byte{
		[]byte("not a log line {{{"),
		[]byte(`{"hello":"world"}`),
		[]byte(`{"eventVersion":`),
		{0x00, 0xff, 0x13, 0x37},
		[]byte(`[1,2,3]`),
	}
	for _, g := range garbage {
		values = append(values, g)
		files = append(files, "garbage")
	}
	const maxBytes = 64 << 10
	oversized := []byte(`{"@timestamp":"2024-03-05T10:00:00Z","message":"` + strings.Repeat("A", maxBytes) + `"}`)
	values = append(values, oversized)
	files = append(files, "oversized")

	base := time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)
	msgs := make([]kafka.Message, len(values))
	for i, v := range values {
		msgs[i] = kafka.Message{Key: []byte("k" + strconv.Itoa(i)), Value: v, Time: base.Add(time.Duration(i) * time.Millisecond)}
	}
	produce(t, env.Brokers, topic, msgs)

	// What the parser makes of each record at its offset.
	reg := parse.NewRegistry(parse.WithMaxRecordBytes(maxBytes))
	type outcome struct {
		events []event.Event
		reason string
	}
	want := make([]outcome, len(values))
	goodSources := map[string]bool{}
	for i, v := range values {
		evs, err := reg.Parse("", parse.Record{Value: v, Topic: topic, Offset: int64(i), Time: msgs[i].Time, Tenant: "acme"})
		if len(v) > maxBytes {
			evs, err = nil, &parse.Error{Reason: parse.ReasonOversized}
		}
		if err != nil {
			var pe *parse.Error
			if !errors.As(err, &pe) {
				t.Fatalf("record %d: parser returned a non-parse error %v", i, err)
			}
			want[i].reason = pe.Reason
			continue
		}
		want[i].events = evs
		for _, e := range evs {
			goodSources[e.Event.Dataset] = true
		}
	}
	if want[len(want)-1].reason != parse.ReasonOversized {
		t.Fatalf("oversized record: reason %q", want[len(want)-1].reason)
	}
	t.Logf("%d records, datasets %v", len(values), goodSources)

	sink := &memSink{}
	cfg := testConfig(env.Brokers, topic+"-g", ingest.TopicConfig{Name: topic, Tenant: "acme", DLQ: dlq})
	cfg.MaxRecordBytes = maxBytes
	promReg := prometheus.NewRegistry()
	stop := runIngester(t, cfg, sink, promReg)

	var wantEvents, wantDead int
	for _, w := range want {
		wantEvents += len(w.events)
		if w.reason != "" {
			wantDead++
		}
	}
	waitFor(t, "all records", 60*time.Second, func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return sink.records == len(values)
	})
	stop()

	// Good records: the events, exactly as the parser makes them.
	got := map[int64][]event.Event{}
	for _, e := range sink.events {
		if e.Event.Ingested.IsZero() {
			t.Errorf("event %s: event.ingested not set", e.Event.ID)
		}
		e.Event.Ingested = time.Time{}
		got[e.Origin.Offset] = append(got[e.Origin.Offset], e)
	}
	for i, w := range want {
		if w.reason != "" {
			if len(got[int64(i)]) != 0 {
				t.Errorf("record %d (%s) refused with %s but has events", i, files[i], w.reason)
			}
			continue
		}
		a, _ := json.Marshal(w.events)
		b, _ := json.Marshal(got[int64(i)])
		if !bytes.Equal(a, b) {
			t.Errorf("record %d (%s): events differ\nwant %s\ngot  %s", i, files[i], a, b)
		}
	}
	if len(sink.events) != wantEvents {
		t.Errorf("sink got %d events, want %d", len(sink.events), wantEvents)
	}

	// Bad records: in the DLQ, with the original value and the reason.
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Topic: dlq, Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	seen := map[int]bool{}
	for len(seen) < wantDead {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read dlq after %d of %d: %v", len(seen), wantDead, err)
		}
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		i, _ := strconv.Atoi(h[ingest.HeaderSourceOffset])
		if seen[i] {
			t.Errorf("record %d dead-lettered twice", i)
		}
		seen[i] = true
		if want[i].reason == "" {
			t.Errorf("record %d (%s) in the DLQ (%s) but parses", i, files[i], h[ingest.HeaderReason])
			continue
		}
		if h[ingest.HeaderReason] != want[i].reason || h[ingest.HeaderSourceTopic] != topic ||
			h[ingest.HeaderSourcePartition] != "0" || h[ingest.HeaderSource] != "auto" || h[ingest.HeaderError] == "" {
			t.Errorf("record %d: headers %v, want reason %s", i, h, want[i].reason)
		}
		if !bytes.Equal(m.Value, values[i]) || string(m.Key) != "k"+strconv.Itoa(i) {
			t.Errorf("record %d: DLQ record is not the original", i)
		}
	}

	// in = out + dlq, also in the metrics.
	good := 0
	for _, w := range want {
		if w.reason == "" {
			good++
		}
	}
	if good+len(seen) != len(values) {
		t.Errorf("in %d != good %d + dlq %d", len(values), good, len(seen))
	}
	m := gather(t, promReg)
	if m["vigil_ingest_records_total"] != float64(len(values)) ||
		m["vigil_ingest_dlq_records_total"] != float64(wantDead) ||
		m["vigil_ingest_events_total"] != float64(wantEvents) ||
		m["vigil_ingest_parse_errors_total"] != float64(wantDead) {
		t.Errorf("metrics %v; want records %d, dlq %d, events %d", m, len(values), wantDead, wantEvents)
	}
	t.Logf("in %d = good %d (%d events) + dlq %d", len(values), good, wantEvents, wantDead)
}

// gather sums every counter family of reg.
func gather(t testing.TB, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if c := m.GetCounter(); c != nil {
				out[mf.GetName()] += c.GetValue()
			}
		}
	}
	return out
}

func ecsRecord(i int) kafka.Message {
	return kafka.Message{Value: fmt.Appendf(nil,
		`{"@timestamp":"2024-03-05T10:00:00Z","event":{"id":"ev-%d","dataset":"test.kill","module":"test"},"message":"record %d"}`, i, i)}
}
