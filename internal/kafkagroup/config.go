package kafkagroup

import (
	"errors"
	"fmt"
	"time"
)

// Config configures a Consumer. Zero values take the documented defaults.
type Config struct {
	Brokers []string
	GroupID string
	Topics  []string

	// MaxBatchRecords caps the records of one batch; default 2000.
	MaxBatchRecords int
	// MaxBatchBytes caps the key and value bytes of one batch; default 8 MiB.
	// A single record larger than this is a batch on its own.
	MaxBatchBytes int
	// MaxWait flushes a partial batch this long after its first record was
	// read; default 200ms.
	MaxWait time.Duration
	// FetchWait and FetchMinBytes let the broker hold a fetch until it has
	// FetchMinBytes for the partition or FetchWait passed; defaults 100ms
	// and 256 KiB (capped at MaxBatchBytes). A fetch that returns the
	// moment one record is there makes the broker answer a request per
	// few records per partition: at a few thousand records/s over two
	// dozen partitions that cost the local broker most of a core.
	FetchWait     time.Duration
	FetchMinBytes int
	// InFlightPerPartition is how many batches of one partition may be with
	// the handler at once; default 2. Batches are handed over in offset
	// order; with more than one in flight they may finish out of order (the
	// commit watermark stays contiguous). Set 1 for strictly sequential
	// handling, as a stateful handler needs.
	InFlightPerPartition int
	// MaxPendingRecords bounds the records of one partition that are with
	// the handler, counting batches that called Batch.Release and only wait
	// to become durable; default InFlightPerPartition × MaxBatchRecords,
	// the most a partition holds without Release. Records, not batches:
	// while a backlog is read, batches are full and the bound keeps memory
	// where it was; at a live rate batches are small and several can wait
	// for durability while the next one is worked on.
	MaxPendingRecords int
	// CommitInterval is how often completed work is committed; default 1s.
	// Work is also committed at the end of every generation and at shutdown.
	CommitInterval time.Duration
	// StartFromOldest reads a partition that has no committed offset from
	// its oldest record. It is the default; StartFromNewest overrides it.
	StartFromOldest bool
	// StartFromNewest reads a partition that has no committed offset from
	// its end (only records produced after the group joined).
	StartFromNewest bool

	// Group membership timeouts, passed to kafka-go; defaults 30s, 30s, 3s.
	SessionTimeout, RebalanceTimeout, HeartbeatInterval time.Duration

	// DrainTimeout bounds how long in-flight batches may run after fetching
	// stopped (shutdown or rebalance) before their context is cancelled;
	// default two thirds of RebalanceTimeout, so that a rebalance finishes
	// before the coordinator gives up on this member.
	DrainTimeout time.Duration
	// RetryBackoff and MaxRetryBackoff bound the exponential backoff between
	// attempts of a failing batch; defaults 100ms and 10s.
	RetryBackoff, MaxRetryBackoff time.Duration
}

// Defaults.
const (
	DefaultMaxBatchRecords      = 2000
	DefaultMaxBatchBytes        = 8 << 20
	DefaultMaxWait              = 200 * time.Millisecond
	DefaultFetchWait            = 100 * time.Millisecond
	DefaultFetchMinBytes        = 256 << 10
	DefaultInFlightPerPartition = 2
	DefaultCommitInterval       = time.Second
	DefaultSessionTimeout       = 30 * time.Second
	DefaultRebalanceTimeout     = 30 * time.Second
	DefaultHeartbeatInterval    = 3 * time.Second
	DefaultRetryBackoff         = 100 * time.Millisecond
	DefaultMaxRetryBackoff      = 10 * time.Second
)

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	setInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	setInt(&c.MaxBatchRecords, DefaultMaxBatchRecords)
	setInt(&c.MaxBatchBytes, DefaultMaxBatchBytes)
	setInt(&c.InFlightPerPartition, DefaultInFlightPerPartition)
	setInt(&c.MaxPendingRecords, c.InFlightPerPartition*c.MaxBatchRecords)
	setDur(&c.MaxWait, DefaultMaxWait)
	setDur(&c.FetchWait, DefaultFetchWait)
	setInt(&c.FetchMinBytes, min(DefaultFetchMinBytes, c.MaxBatchBytes))
	setDur(&c.CommitInterval, DefaultCommitInterval)
	setDur(&c.SessionTimeout, DefaultSessionTimeout)
	setDur(&c.RebalanceTimeout, DefaultRebalanceTimeout)
	setDur(&c.HeartbeatInterval, DefaultHeartbeatInterval)
	setDur(&c.DrainTimeout, c.RebalanceTimeout*2/3)
	setDur(&c.RetryBackoff, DefaultRetryBackoff)
	setDur(&c.MaxRetryBackoff, DefaultMaxRetryBackoff)
	if !c.StartFromNewest {
		c.StartFromOldest = true
	}
	return c
}

// validate reports every invalid setting of a defaulted Config.
func (c Config) validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("brokers: required"))
	}
	if c.GroupID == "" {
		errs = append(errs, errors.New("group_id: required"))
	}
	if len(c.Topics) == 0 {
		errs = append(errs, errors.New("topics: required"))
	}
	for i, t := range c.Topics {
		if t == "" {
			errs = append(errs, fmt.Errorf("topics[%d]: empty", i))
		}
	}
	pos := func(name string, v int64) {
		if v < 0 {
			errs = append(errs, fmt.Errorf("%s: must not be negative", name))
		}
	}
	pos("max_batch_records", int64(c.MaxBatchRecords))
	pos("max_batch_bytes", int64(c.MaxBatchBytes))
	pos("in_flight_per_partition", int64(c.InFlightPerPartition))
	pos("max_pending_records", int64(c.MaxPendingRecords))
	pos("max_wait", int64(c.MaxWait))
	pos("fetch_wait", int64(c.FetchWait))
	pos("fetch_min_bytes", int64(c.FetchMinBytes))
	pos("commit_interval", int64(c.CommitInterval))
	pos("session_timeout", int64(c.SessionTimeout))
	pos("rebalance_timeout", int64(c.RebalanceTimeout))
	pos("heartbeat_interval", int64(c.HeartbeatInterval))
	pos("drain_timeout", int64(c.DrainTimeout))
	pos("retry_backoff", int64(c.RetryBackoff))
	pos("max_retry_backoff", int64(c.MaxRetryBackoff))
	if c.StartFromOldest && c.StartFromNewest {
		errs = append(errs, errors.New("start_from_oldest and start_from_newest: both set"))
	}
	if c.HeartbeatInterval >= c.SessionTimeout {
		errs = append(errs, fmt.Errorf("heartbeat_interval %s: must be below session_timeout %s", c.HeartbeatInterval, c.SessionTimeout))
	}
	return errors.Join(errs...)
}
