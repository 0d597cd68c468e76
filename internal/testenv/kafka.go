package testenv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/vigil-soc/vigil/internal/kafkatopic"
)

// KafkaEnv is a reachable Kafka cluster.
type KafkaEnv struct {
	// Brokers are the bootstrap addresses, host:port.
	Brokers []string
}

// Kafka returns the cluster named by VIGIL_KAFKA_BROKERS (default
// 127.0.0.1:19092) once a broker has answered a metadata request. It skips
// or, with CI=true, fails t when none answers.
func Kafka(t testing.TB) *KafkaEnv {
	t.Helper()
	Integration(t)
	raw := envOr(EnvKafkaBrokers, DefaultKafkaBrokers)
	var brokers []string
	for _, b := range strings.Split(raw, ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := kafkatopic.DialAny(ctx, brokers)
	if err != nil {
		unavailable(t, "kafka", raw, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	live, err := conn.Brokers()
	if err == nil && len(live) == 0 {
		err = errors.New("metadata lists no live broker")
	}
	if err != nil {
		unavailable(t, "kafka", raw, err)
	}
	return &KafkaEnv{Brokers: brokers}
}

// Topic creates a topic with a unique name and the given number of
// partitions (replication factor 1), waits until every partition has a
// leader, and deletes the topic when the test ends.
func (k *KafkaEnv) Topic(t testing.TB, partitions int) string {
	t.Helper()
	if partitions < 1 {
		t.Fatalf("testenv: topic needs at least 1 partition, got %d", partitions)
	}
	name := uniqueName(t, "test")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafkatopic.Ensure(ctx, k.Brokers, kafkatopic.Spec{Name: name, Partitions: partitions}); err != nil {
		t.Fatalf("testenv: create topic %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := kafkatopic.Delete(ctx, k.Brokers, name); err != nil {
			t.Logf("testenv: delete topic %s: %v", name, err)
		}
	})
	return name
}

// Committed returns the offsets group has committed on partitions
// 0..partitions-1 of topic (-1 where it has committed none).
func (k *KafkaEnv) Committed(t testing.TB, group, topic string, partitions int) map[int]int64 {
	t.Helper()
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	cl := &kafka.Client{Addr: kafka.TCP(k.Brokers...), Transport: tr}
	ps := make([]int, partitions)
	for i := range ps {
		ps[i] = i
	}
	res, err := cl.OffsetFetch(t.Context(), &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: ps}})
	if err != nil {
		t.Fatalf("testenv: offset fetch: %v", err)
	}
	out := map[int]int64{}
	for _, p := range res.Topics[topic] {
		out[p.Partition] = p.CommittedOffset
	}
	return out
}

// WaitGroupStable waits until group is Stable with exactly members members,
// each assigned at least one partition. Tests that prove work is shared
// publish only after it: a member that joins after the others have drained
// every record legitimately handles none.
func (k *KafkaEnv) WaitGroupStable(t testing.TB, group string, members int) {
	t.Helper()
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	cl := &kafka.Client{Addr: kafka.TCP(k.Brokers...), Transport: tr}
	deadline := time.Now().Add(60 * time.Second)
	last := "no answer"
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		res, err := cl.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		cancel()
		switch {
		case err != nil:
			last = err.Error()
		case len(res.Groups) != 1:
			last = "no such group"
		case res.Groups[0].Error != nil:
			last = res.Groups[0].Error.Error()
		default:
			g := res.Groups[0]
			assigned := 0
			for _, m := range g.Members {
				for _, tp := range m.MemberAssignments.Topics {
					if len(tp.Partitions) > 0 {
						assigned++
						break
					}
				}
			}
			if g.GroupState == "Stable" && len(g.Members) == members && assigned == members {
				return
			}
			last = fmt.Sprintf("state %s, %d members, %d with partitions", g.GroupState, len(g.Members), assigned)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("testenv: group %s did not become stable with %d members: %s", group, members, last)
}
