// Package kafkatopic creates and deletes Kafka topics and waits until they
// are usable. The ingest dead-letter topics, the correlate topic, the
// escalation topic, the local demo, the benchmark and the test helpers all
// create topics through it.
package kafkatopic

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// Spec is a topic to create.
type Spec struct {
	Name       string
	Partitions int
	// ReplicationFactor 0 is min(3, brokers in the cluster).
	ReplicationFactor int
	// Config holds topic settings such as cleanup.policy or retention.ms.
	Config map[string]string
}

// Ensure creates the topics that do not exist yet and waits until every
// partition has a leader. Existing topics are left as they are.
func Ensure(ctx context.Context, brokers []string, specs ...Spec) error {
	if len(specs) == 0 {
		return nil
	}
	err := WithController(ctx, brokers, func(c *kafka.Conn) error {
		brokerList, err := c.Brokers()
		if err != nil {
			return fmt.Errorf("list brokers: %w", err)
		}
		rf := min(3, len(brokerList))
		cfgs := make([]kafka.TopicConfig, 0, len(specs))
		for _, s := range specs {
			tc := kafka.TopicConfig{Topic: s.Name, NumPartitions: s.Partitions, ReplicationFactor: rf}
			if s.ReplicationFactor > 0 {
				tc.ReplicationFactor = s.ReplicationFactor
			}
			for k, v := range s.Config {
				tc.ConfigEntries = append(tc.ConfigEntries, kafka.ConfigEntry{ConfigName: k, ConfigValue: v})
			}
			cfgs = append(cfgs, tc)
		}
		err = c.CreateTopics(cfgs...)
		if errors.Is(err, kafka.TopicAlreadyExists) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	for _, s := range specs {
		// An existing topic may have another partition count: any is fine.
		if err := WaitLeaders(ctx, brokers, s.Name, 0); err != nil {
			return err
		}
	}
	return nil
}

// Delete deletes topics; a topic that does not exist is not an error.
func Delete(ctx context.Context, brokers []string, names ...string) error {
	err := WithController(ctx, brokers, func(c *kafka.Conn) error { return c.DeleteTopics(names...) })
	if errors.Is(err, kafka.UnknownTopicOrPartition) {
		return nil
	}
	return err
}

// WithController runs fn on a connection to the cluster's controller, where
// topic creation and deletion must be sent.
func WithController(ctx context.Context, brokers []string, fn func(*kafka.Conn) error) error {
	conn, err := DialAny(ctx, brokers)
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
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(30 * time.Second)
	}
	_ = cc.SetDeadline(deadline)
	return fn(cc)
}

// DialAny connects to the first broker that answers.
func DialAny(ctx context.Context, brokers []string) (*kafka.Conn, error) {
	var errs []error
	for _, b := range brokers {
		c, err := kafka.DialContext(ctx, "tcp", b)
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, errors.New("dial kafka: no broker address")
	}
	return nil, fmt.Errorf("dial kafka %v: %w", brokers, errors.Join(errs...))
}

// WaitLeaders polls metadata until topic has partitions (any number when
// partitions is 0) and every one of them has a leader.
func WaitLeaders(ctx context.Context, brokers []string, topic string, partitions int) error {
	for {
		err := hasLeaders(ctx, brokers, topic, partitions)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for leaders of topic %s: %w (last: %v)", topic, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func hasLeaders(ctx context.Context, brokers []string, topic string, partitions int) error {
	conn, err := DialAny(ctx, brokers)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	parts, err := conn.ReadPartitions(topic)
	switch {
	case err != nil:
		return err
	case len(parts) == 0:
		return errors.New("topic not in metadata yet")
	case partitions > 0 && len(parts) != partitions:
		return fmt.Errorf("metadata shows %d of %d partitions", len(parts), partitions)
	}
	for _, p := range parts {
		if p.Leader.ID < 0 || p.Leader.Host == "" {
			return fmt.Errorf("partition %d has no leader", p.ID)
		}
	}
	return nil
}
