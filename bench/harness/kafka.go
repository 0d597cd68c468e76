package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/internal/kafkatopic"
)

// Kafka is the cluster the benchmark produces to and measures.
type Kafka struct {
	Brokers []string
	client  *kafka.Client
}

// NewKafka returns a Kafka for the bootstrap brokers.
func NewKafka(brokers []string) *Kafka {
	return &Kafka{Brokers: brokers, client: &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 15 * time.Second}}
}

// Ping checks that a broker answers a metadata request.
func (k *Kafka) Ping(ctx context.Context) error {
	conn, err := kafkatopic.DialAny(ctx, k.Brokers)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Brokers(); err != nil {
		return fmt.Errorf("read brokers: %w", err)
	}
	return nil
}

// CreateTopics creates the topics with the given partitions and waits
// until every partition has a leader. A topic that exists already is left
// as it is.
func (k *Kafka) CreateTopics(ctx context.Context, partitions int, names ...string) error {
	specs := make([]kafkatopic.Spec, len(names))
	for i, n := range names {
		specs[i] = kafkatopic.Spec{Name: n, Partitions: partitions}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := kafkatopic.Ensure(ctx, k.Brokers, specs...); err != nil {
		return err
	}
	return k.awaitMetadata(ctx, names)
}

// awaitMetadata asks for the topics through kafka-go's default transport
// until it lists them all: the producers share that transport, and its
// metadata cache must know a new topic before a write to it can succeed.
func (k *Kafka) awaitMetadata(ctx context.Context, names []string) error {
	for {
		md, err := k.client.Metadata(ctx, &kafka.MetadataRequest{Topics: names})
		if err == nil {
			ready := len(md.Topics) == len(names)
			for _, t := range md.Topics {
				ready = ready && t.Error == nil && len(t.Partitions) > 0
			}
			if ready {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for topics %v in metadata: %w", names, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// DeleteTopics deletes the topics; missing topics are not an error.
func (k *Kafka) DeleteTopics(ctx context.Context, names ...string) error {
	if len(names) == 0 {
		return nil
	}
	if err := kafkatopic.Delete(ctx, k.Brokers, names...); err != nil {
		return fmt.Errorf("delete topics: %w", err)
	}
	return nil
}

// Partitions returns the partition ids of each topic; topics that do not
// exist are left out.
func (k *Kafka) Partitions(ctx context.Context, topics ...string) (map[string][]int, error) {
	md, err := k.client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return nil, fmt.Errorf("read metadata: %w", err)
	}
	out := make(map[string][]int, len(md.Topics))
	for _, t := range md.Topics {
		if t.Error != nil || len(t.Partitions) == 0 {
			continue
		}
		for _, p := range t.Partitions {
			out[t.Name] = append(out[t.Name], p.ID)
		}
	}
	return out, nil
}

// EndOffsets returns the high watermark (offset of the next record) of
// every partition of the topics.
func (k *Kafka) EndOffsets(ctx context.Context, parts map[string][]int) (map[string]map[int]int64, error) {
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for t, ps := range parts {
		for _, p := range ps {
			req.Topics[t] = append(req.Topics[t], kafka.LastOffsetOf(p))
		}
	}
	resp, err := k.client.ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	out := make(map[string]map[int]int64, len(resp.Topics))
	for t, ps := range resp.Topics {
		out[t] = make(map[int]int64, len(ps))
		for _, p := range ps {
			if p.Error != nil {
				return nil, fmt.Errorf("list offsets of %s/%d: %w", t, p.Partition, p.Error)
			}
			out[t][p.Partition] = p.LastOffset
		}
	}
	return out, nil
}

// Records returns the number of records in the topics' partitions
// (high watermark minus log start), 0 for a topic that does not exist.
func (k *Kafka) Records(ctx context.Context, topics ...string) (int64, error) {
	parts, err := k.Partitions(ctx, topics...)
	if err != nil || len(parts) == 0 {
		return 0, err
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for t, ps := range parts {
		for _, p := range ps {
			req.Topics[t] = append(req.Topics[t], kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
		}
	}
	resp, err := k.client.ListOffsets(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("list offsets: %w", err)
	}
	var n int64
	for t, ps := range resp.Topics {
		for _, p := range ps {
			if p.Error != nil {
				return 0, fmt.Errorf("list offsets of %s/%d: %w", t, p.Partition, p.Error)
			}
			n += p.LastOffset - p.FirstOffset
		}
	}
	return n, nil
}

// Committed returns the group's committed offsets; a partition without a
// commit is reported as -1.
func (k *Kafka) Committed(ctx context.Context, group string, parts map[string][]int) (map[string]map[int]int64, error) {
	resp, err := k.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: parts})
	if err != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", group, err)
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", group, resp.Error)
	}
	out := make(map[string]map[int]int64, len(resp.Topics))
	for t, ps := range resp.Topics {
		out[t] = make(map[int]int64, len(ps))
		for _, p := range ps {
			if p.Error != nil {
				return nil, fmt.Errorf("fetch offset of %s/%d: %w", t, p.Partition, p.Error)
			}
			out[t][p.Partition] = p.CommittedOffset
		}
	}
	return out, nil
}

// Lag is the sum over the partitions of end offset minus the group's
// committed offset (the log start when the group has committed nothing).
func (k *Kafka) Lag(ctx context.Context, group string, parts map[string][]int) (int64, error) {
	end, err := k.EndOffsets(ctx, parts)
	if err != nil {
		return 0, err
	}
	com, err := k.Committed(ctx, group, parts)
	if err != nil {
		return 0, err
	}
	var lag int64
	for t, ps := range parts {
		for _, p := range ps {
			c := com[t][p]
			if c < 0 {
				c = 0 // topics are fresh: the log starts at 0
			}
			lag += max(0, end[t][p]-c)
		}
	}
	return lag, nil
}
