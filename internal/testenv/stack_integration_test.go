package testenv_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/internal/testenv"
)

// mix spreads a value over 64 bits for an order-independent XOR checksum that
// ClickHouse computes the same way (UInt64 multiplication wraps).
const mix = 0x9E3779B97F4A7C15

// TestStackIntegration is the foundation acceptance test of the local stack:
// 1,000 messages go through a fresh 3-partition topic and a consumer group
// into a MergeTree table, and come back exactly once.
func TestStackIntegration(t *testing.T) {
	const (
		messages   = 1000
		partitions = 3
	)
	k := testenv.Kafka(t)
	ch := testenv.ClickHouse(t)
	topic := k.Topic(t, partitions)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// Produce.
	// Not kafka-go's shared default transport: its metadata cache predates
	// the test's topic.
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Transport: tr,
		Addr:         kafka.TCP(k.Brokers...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		BatchSize:    messages,
		BatchTimeout: 10 * time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	msgs := make([]kafka.Message, messages)
	var wantSum, wantXor uint64
	for i := range msgs {
		v := uint64(i)
		msgs[i] = kafka.Message{Key: []byte("key-" + strconv.Itoa(i)), Value: []byte(strconv.FormatUint(v, 10))}
		wantSum += v
		wantXor ^= v * mix
	}
	start := time.Now()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("produce: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close writer: %v", err)
	}

	// Consume through a consumer group.
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:                k.Brokers,
		GroupID:                topic + "_group",
		Topic:                  topic,
		StartOffset:            kafka.FirstOffset,
		MinBytes:               1,
		MaxBytes:               10 << 20,
		MaxWait:                100 * time.Millisecond,
		HeartbeatInterval:      500 * time.Millisecond,
		WatchPartitionChanges:  false,
		PartitionWatchInterval: time.Second,
	})
	defer r.Close()

	type row struct {
		partition int32
		offset    int64
		key       string
		value     uint64
	}
	seen := make(map[uint64]bool, messages)
	perPartition := make(map[int]int)
	rows := make([]row, 0, messages)
	for len(rows) < messages {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("consume after %d messages: %v", len(rows), err)
		}
		v, err := strconv.ParseUint(string(m.Value), 10, 64)
		if err != nil {
			t.Fatalf("parse value %q: %v", m.Value, err)
		}
		if seen[v] {
			t.Fatalf("message %d delivered twice", v)
		}
		seen[v] = true
		perPartition[m.Partition]++
		rows = append(rows, row{int32(m.Partition), m.Offset, string(m.Key), v})
		if err := r.CommitMessages(ctx, m); err != nil {
			t.Fatalf("commit offset %d/%d: %v", m.Partition, m.Offset, err)
		}
	}
	t.Logf("produced and consumed %d messages in %v", messages, time.Since(start))
	if len(perPartition) != partitions {
		t.Errorf("messages spread over %d partitions, want %d: %v", len(perPartition), partitions, perPartition)
	}

	// Store in ClickHouse.
	db := ch.Database(t)
	conn := ch.Conn(t, db)
	if err := conn.Exec(ctx, `CREATE TABLE events (
		partition Int32,
		offset    Int64,
		key       String,
		value     UInt64
	) ENGINE = MergeTree ORDER BY (partition, offset)`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO events (partition, offset, key, value)")
	if err != nil {
		t.Fatalf("prepare batch: %v", err)
	}
	for _, rw := range rows {
		if err := batch.Append(rw.partition, rw.offset, rw.key, rw.value); err != nil {
			t.Fatalf("append row: %v", err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatalf("send batch: %v", err)
	}

	// Read back.
	var (
		count, sum, xor uint64
		keys            uint64
	)
	if err := conn.QueryRow(ctx,
		"SELECT count(), sum(value), groupBitXor(value * "+strconv.FormatUint(mix, 10)+"), uniqExact(key) FROM events",
	).Scan(&count, &sum, &xor, &keys); err != nil {
		t.Fatalf("read back: %v", err)
	}
	if count != messages || keys != messages {
		t.Errorf("stored %d rows with %d distinct keys, want %d", count, keys, messages)
	}
	if sum != wantSum {
		t.Errorf("sum(value) = %d, want %d", sum, wantSum)
	}
	if xor != wantXor {
		t.Errorf("checksum = %#x, want %#x", xor, wantXor)
	}

	// The group's committed offsets cover every message: offsets start at 0,
	// so the committed next offsets of all partitions add up to the count.
	if err := r.Close(); err != nil {
		t.Fatalf("close reader: %v", err)
	}
	client := &kafka.Client{Addr: kafka.TCP(k.Brokers...), Timeout: 10 * time.Second}
	ids := make([]int, partitions)
	for i := range ids {
		ids[i] = i
	}
	resp, err := client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{
		GroupID: topic + "_group",
		Topics:  map[string][]int{topic: ids},
	})
	if err == nil && resp.Error != nil {
		err = resp.Error
	}
	if err != nil {
		t.Fatalf("fetch committed offsets: %v", err)
	}
	var committed int64
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			t.Fatalf("committed offset of partition %d: %v", p.Partition, p.Error)
		}
		if int(p.CommittedOffset) != perPartition[p.Partition] {
			t.Errorf("partition %d: committed offset %d, consumed %d", p.Partition, p.CommittedOffset, perPartition[p.Partition])
		}
		committed += p.CommittedOffset
	}
	if committed != messages {
		t.Errorf("committed offsets add up to %d, want %d", committed, messages)
	}
}
