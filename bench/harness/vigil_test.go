package harness

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSumMetric(t *testing.T) {
	text := `# HELP vigil_kafka_consumer_lag_records Records behind.
# TYPE vigil_kafka_consumer_lag_records gauge
vigil_kafka_consumer_lag_records{group="vigil-ingest",partition="0",topic="a b"} 10
vigil_kafka_consumer_lag_records{group="vigil-ingest",partition="1",topic="a"} 5 1700000000000
vigil_kafka_records_fetched_total{group="g",topic="a"} 99
vigil_other 3
`
	sum, ok := sumMetric([]byte(text), "vigil_kafka_", "lag")
	if !ok || sum != 15 {
		t.Errorf("lag sum = %v, %v; want 15, true", sum, ok)
	}
	if _, ok := sumMetric([]byte(text), "vigil_nothing", ""); ok {
		t.Error("found a missing metric")
	}
	if sum, _ := sumMetric([]byte(text), "vigil_other", ""); sum != 3 {
		t.Errorf("unlabelled = %v", sum)
	}
}

func TestBaseConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "v.yaml")
	if err := os.WriteFile(p, []byte("kafka:\n  brokers: [\"${BENCH_TEST_BROKER}\"]\nstorage:\n  addr: [\"h:1\"]\n  database: vigil\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BENCH_TEST_BROKER", "k:9")
	t.Setenv("VIGIL_KAFKA_BROKERS", "")
	t.Setenv("VIGIL_CLICKHOUSE_ADDR", "")
	c, err := LoadBaseConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	brokers, ch := c.Endpoints()
	if len(brokers) != 1 || brokers[0] != "k:9" || ch.Addr[0] != "h:1" || ch.Username != "default" {
		t.Errorf("endpoints %v %+v", brokers, ch)
	}
	d := c.Clone()
	d.Set("storage.database", "bench_1")
	d.Set("server.listen", "127.0.0.1:1")
	if c.String("storage.database") != "vigil" {
		t.Error("Clone shares maps with the original")
	}
	if d.String("storage.database") != "bench_1" || d.String("server.listen") != "127.0.0.1:1" {
		t.Errorf("Set: %v", d)
	}
	t.Setenv("VIGIL_KAFKA_BROKERS", "a:1, b:2")
	if b, _ := c.Endpoints(); len(b) != 2 || b[1] != "b:2" {
		t.Errorf("env override: %v", b)
	}
}
