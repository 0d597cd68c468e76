package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
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
	conn, err := dialAny(ctx, brokers)
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

	if err := k.withController(ctx, func(c *kafka.Conn) error {
		return c.CreateTopics(kafka.TopicConfig{Topic: name, NumPartitions: partitions, ReplicationFactor: 1})
	}); err != nil {
		t.Fatalf("testenv: create topic %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := k.withController(ctx, func(c *kafka.Conn) error { return c.DeleteTopics(name) }); err != nil {
			t.Logf("testenv: delete topic %s: %v", name, err)
		}
	})
	if err := k.waitLeaders(ctx, name, partitions); err != nil {
		t.Fatalf("testenv: wait for topic %s: %v", name, err)
	}
	return name
}

// withController runs fn on a connection to the controller; CreateTopics
// and DeleteTopics must be sent there.
func (k *KafkaEnv) withController(ctx context.Context, fn func(*kafka.Conn) error) error {
	conn, err := dialAny(ctx, k.Brokers)
	if err != nil {
		return err
	}
	defer conn.Close()
	controller, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("find controller: %w", err)
	}
	addr := net.JoinHostPort(controller.Host, strconv.Itoa(controller.Port))
	cc, err := kafka.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dial controller %s: %w", addr, err)
	}
	defer cc.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = cc.SetDeadline(dl)
	}
	return fn(cc)
}

// waitLeaders polls metadata until topic has the given number of partitions,
// each with a leader.
func (k *KafkaEnv) waitLeaders(ctx context.Context, topic string, partitions int) error {
	conn, err := dialAny(ctx, k.Brokers)
	if err != nil {
		return err
	}
	defer conn.Close()
	var last error
	for {
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		parts, err := conn.ReadPartitions(topic)
		switch {
		case err != nil:
			last = err
		case len(parts) != partitions:
			last = fmt.Errorf("metadata shows %d of %d partitions", len(parts), partitions)
		default:
			last = nil
			for _, p := range parts {
				if p.Leader.ID < 0 || p.Leader.Host == "" {
					last = fmt.Errorf("partition %d has no leader", p.ID)
					break
				}
			}
			if last == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// dialAny connects to the first broker that accepts.
func dialAny(ctx context.Context, brokers []string) (*kafka.Conn, error) {
	var errs []error
	for _, b := range brokers {
		conn, err := kafka.DialContext(ctx, "tcp", b)
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, errors.New("no broker address")
	}
	return nil, fmt.Errorf("dial brokers: %w", errors.Join(errs...))
}
