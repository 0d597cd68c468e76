package kafkagroup

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"
)

// OffsetAtTime returns the offset of the first record of topic/partition
// whose timestamp is at or after t, or the partition's end offset when no
// record is that recent. A Rewinder uses it to turn a lookback duration into
// an offset.
func OffsetAtTime(ctx context.Context, brokers []string, topic string, partition int, t time.Time) (int64, error) {
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	cl := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: tr}
	return offsetAtTime(ctx, cl, topic, partition, t)
}

func offsetAtTime(ctx context.Context, cl *kafka.Client, topic string, partition int, t time.Time) (int64, error) {
	res, err := cl.ListOffsets(ctx, &kafka.ListOffsetsRequest{
		Topics: map[string][]kafka.OffsetRequest{topic: {kafka.TimeOffsetOf(partition, t)}},
	})
	if err != nil {
		return 0, fmt.Errorf("list offsets of %s/%d at %s: %w", topic, partition, t.Format(time.RFC3339), err)
	}
	for _, p := range res.Topics[topic] {
		if p.Partition != partition {
			continue
		}
		if p.Error != nil {
			return 0, fmt.Errorf("list offsets of %s/%d at %s: %w", topic, partition, t.Format(time.RFC3339), p.Error)
		}
		// A record was found: its offset is the map's one non-negative key.
		// (kafka-go files a "not found" answer, offset -1, under LastOffset.)
		offsets := make([]int64, 0, len(p.Offsets))
		for o := range p.Offsets {
			if o >= 0 {
				offsets = append(offsets, o)
			}
		}
		if len(offsets) > 0 {
			return slices.Min(offsets), nil
		}
	}
	return boundaryOffset(ctx, cl, topic, partition, kafka.LastOffset)
}

// boundaryOffset resolves kafka.FirstOffset or kafka.LastOffset of a
// partition to an absolute offset.
func boundaryOffset(ctx context.Context, cl *kafka.Client, topic string, partition int, which int64) (int64, error) {
	req := kafka.FirstOffsetOf(partition)
	if which == kafka.LastOffset {
		req = kafka.LastOffsetOf(partition)
	}
	res, err := cl.ListOffsets(ctx, &kafka.ListOffsetsRequest{
		Topics: map[string][]kafka.OffsetRequest{topic: {req}},
	})
	if err != nil {
		return 0, fmt.Errorf("list offsets of %s/%d: %w", topic, partition, err)
	}
	for _, p := range res.Topics[topic] {
		if p.Partition != partition {
			continue
		}
		if p.Error != nil {
			return 0, fmt.Errorf("list offsets of %s/%d: %w", topic, partition, p.Error)
		}
		if which == kafka.LastOffset {
			return p.LastOffset, nil
		}
		return p.FirstOffset, nil
	}
	return 0, fmt.Errorf("list offsets of %s/%d: partition missing from the answer", topic, partition)
}
