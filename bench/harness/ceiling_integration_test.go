package harness_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/bench/harness"
	"github.com/vigil-soc/vigil/internal/testenv"
)

// TestCopyIntegration runs the ceiling copy on the real stack: generated
// records of two sources through two fresh topics and a consumer group into
// a MergeTree table, each record exactly once.
func TestCopyIntegration(t *testing.T) {
	const records = 3000
	k := testenv.Kafka(t)
	ch := testenv.ClickHouse(t)
	topics := map[string]string{
		gen.SourceCloudTrail: k.Topic(t, 3),
		gen.SourceOkta:       k.Topic(t, 2),
	}
	db := ch.Database(t)
	conn := ch.Conn(t, db)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	p := &harness.Producer{
		Brokers: k.Brokers,
		Topic:   func(r gen.Record) string { return topics[r.Source] },
		Track:   true,
	}
	g := gen.New(gen.Config{Seed: 7, Noise: true, Sources: []string{gen.SourceCloudTrail, gen.SourceOkta}})
	st, err := p.Produce(ctx, g, records)
	if err != nil {
		t.Fatalf("produce: %v", err)
	}
	if st.Records != records || len(st.Produced) != records {
		t.Fatalf("produced %d records, tracked %d, want %d", st.Records, len(st.Produced), records)
	}

	kc := harness.NewKafka(k.Brokers)
	parts, err := kc.Partitions(ctx, topics[gen.SourceCloudTrail], topics[gen.SourceOkta])
	if err != nil {
		t.Fatal(err)
	}
	group := db + "_copy"
	c := &harness.Copy{
		Brokers: k.Brokers, Group: group, Conn: conn, BatchRows: 500,
		Done: func(ctx context.Context) bool {
			lag, err := kc.Lag(ctx, group, parts)
			return err == nil && lag == 0
		},
		Topics: []string{topics[gen.SourceCloudTrail], topics[gen.SourceOkta]},
	}
	n, err := c.Run(ctx, records)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	if n < records {
		t.Errorf("copy inserted %d rows, want at least %d", n, records)
	}
	span, err := harness.Span(ctx, conn, "raw", "(topic, partition, offset)")
	if err != nil {
		t.Fatal(err)
	}
	if span.Rows < records || span.Distinct != records {
		t.Errorf("raw has %d rows, %d distinct origins, want %d", span.Rows, span.Distinct, records)
	}
	if !span.Last.After(span.First) && records > 500 {
		t.Errorf("stored_at span %v..%v is empty", span.First, span.Last)
	}
	lag, err := kc.Lag(ctx, group, parts)
	if err != nil {
		t.Fatal(err)
	}
	if lag != 0 {
		t.Errorf("group %s lag after the copy = %d, want 0", group, lag)
	}
}
