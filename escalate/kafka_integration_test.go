package escalate

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/escalate/escalatetest"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/testenv"
)

// TestKafkaTarget publishes a declaration to a real Kafka topic and reads
// it back.
func TestKafkaTarget(t *testing.T) {
	k := testenv.Kafka(t)
	topic := k.Topic(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := testConfig(t, `
targets: [{name: bus, type: kafka, brokers: [`+k.Brokers[0]+`], topic: `+topic+`, timeout: 20s}]
routes: [{name: all, chain: [{targets: [bus]}]}]
`)
	st := escalatetest.New()
	clk := newClock(t0)
	mg := newTestManager(t, cfg, st, clk)
	disp := newTestDispatcher(t, cfg, st, clk, nil, nil)
	if err := mg.Observe(ctx, []event.Incident{candidate("inc-k", event.SeverityCritical, 95, "a1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := disp.Dispatch(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if d := st.Deliveries()[0]; d.Status != event.DeliveryDelivered {
		t.Fatalf("delivery: %+v", d)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: k.Brokers, Topic: topic, Partition: 0, MaxWait: 500 * time.Millisecond})
	defer r.Close()
	msg, err := r.ReadMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(msg.Key) != "inc-k" {
		t.Fatalf("key %q", msg.Key)
	}
	var key string
	for _, h := range msg.Headers {
		if h.Key == HeaderIdempotencyKey {
			key = string(h.Value)
		}
	}
	if key != DeliveryKey("inc-k", "bus", KindEscalation, "") {
		t.Fatalf("idempotency header %q", key)
	}
	var m Message
	if err := json.Unmarshal(msg.Value, &m); err != nil || m.Incident.ID != "inc-k" || m.IdempotencyKey != key {
		t.Fatalf("value %s: %v", msg.Value, err)
	}
}
