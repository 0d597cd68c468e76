package ingest

import (
	"errors"
	"fmt"
	"time"

	"github.com/vigil-soc/vigil/internal/kafkagroup"
)

// TopicConfig is one raw topic.
type TopicConfig struct {
	Name string `yaml:"name"`
	// Source names the parser ("aws.cloudtrail", "syslog", ...); "" or
	// "auto" detects it per record.
	Source string `yaml:"source"`
	// Tenant is organization.id for records that carry none of their own.
	Tenant string `yaml:"tenant"`
	// DLQ is the dead-letter topic; default <name>.dlq.
	DLQ string `yaml:"dlq"`
	// Timezone is the IANA time zone ("Europe/Berlin") of timestamps the
	// records write without an offset: RFC 3164 syslog (auth.log) and
	// Windows TimeCreated/EventTime from collectors that log local time.
	// Default UTC.
	Timezone string `yaml:"timezone"`
}

// location resolves Timezone.
func (t TopicConfig) location() (*time.Location, error) {
	if t.Timezone == "" {
		return time.UTC, nil
	}
	return time.LoadLocation(t.Timezone)
}

// Config configures an Ingester. It is the `ingest:` section of vigil's
// configuration file.
type Config struct {
	Brokers []string      `yaml:"brokers"`
	GroupID string        `yaml:"group_id"` // default "vigil-ingest"
	Topics  []TopicConfig `yaml:"topics"`
	// TenantAliases maps the tenant identifiers sources carry themselves
	// (an Entra tenant id, an AWS account id, an O365 OrganizationId) to the
	// tenant name vigil keys on, so that one customer's CloudTrail, sign-in
	// and mailbox events correlate together.
	TenantAliases map[string]string `yaml:"tenant_aliases"`
	// TenantHeader names a Kafka record header carrying the tenant, for
	// shippers that tag records; it wins over the topic's tenant, and a
	// tenant field inside the record wins over both.
	TenantHeader string `yaml:"tenant_header"`
	// MaxRecordBytes sends larger records to the DLQ as "oversized";
	// default: the parser registry's limit.
	MaxRecordBytes int `yaml:"max_record_bytes"`

	// BatchRecords, BatchBytes and BatchWait cut the batches handed to the
	// sink (see kafkagroup.Config); defaults 2000 records, 8 MiB, 200ms.
	BatchRecords int           `yaml:"batch_records"`
	BatchBytes   int           `yaml:"batch_bytes"`
	BatchWait    time.Duration `yaml:"batch_wait"`
	// FetchWait and FetchMinBytes let the broker hold a fetch until it has
	// that many bytes for a partition or that time passed; defaults 100ms
	// and 256 KiB. Fewer, fuller fetches cost the broker far less.
	FetchWait     time.Duration `yaml:"fetch_wait"`
	FetchMinBytes int           `yaml:"fetch_min_bytes"`
	// InFlightPerPartition batches of one partition may be with the sink
	// at once; default 2.
	InFlightPerPartition int `yaml:"in_flight_per_partition"`
	// MaxPendingRecords bounds the records of a partition in the pipeline
	// in all, counting batches whose alerts are done and that only wait for
	// their events' INSERT; default in_flight_per_partition × batch_records.
	MaxPendingRecords int `yaml:"max_pending_records"`
	// CommitInterval is how often finished work is committed; default 1s.
	CommitInterval time.Duration `yaml:"commit_interval"`
	// StartFromNewest starts partitions without a committed offset at
	// their end instead of their oldest record.
	StartFromNewest bool `yaml:"start_from_newest"`

	SessionTimeout    time.Duration `yaml:"session_timeout"`    // default 30s
	RebalanceTimeout  time.Duration `yaml:"rebalance_timeout"`  // default 30s
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"` // default 3s
	// DrainTimeout bounds how long in-flight batches may run at shutdown or
	// rebalance; default two thirds of RebalanceTimeout.
	DrainTimeout time.Duration `yaml:"drain_timeout"`

	// DLQWriteTimeout bounds one synchronous DLQ write; default 10s.
	DLQWriteTimeout time.Duration `yaml:"dlq_write_timeout"`
	// CreateDLQTopics lets the DLQ writer create a missing dead-letter
	// topic with the broker's defaults. Off by default: create them with
	// the retention and replication you want.
	CreateDLQTopics bool `yaml:"create_dlq_topics"`
}

// DefaultGroupID is the consumer group of ingest.
const DefaultGroupID = "vigil-ingest"

// SetDefaults fills the zero fields that have a default of their own here;
// the batching and group timeouts default in kafkagroup.
func (c *Config) SetDefaults() {
	if c.GroupID == "" {
		c.GroupID = DefaultGroupID
	}
	if c.DLQWriteTimeout == 0 {
		c.DLQWriteTimeout = 10 * time.Second
	}
	for i := range c.Topics {
		if c.Topics[i].DLQ == "" && c.Topics[i].Name != "" {
			c.Topics[i].DLQ = c.Topics[i].Name + ".dlq"
		}
	}
}

// Validate reports every invalid setting, each named by its path, such as
// "ingest.topics[1].name: required".
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf("ingest."+format, args...)) }
	if len(c.Brokers) == 0 {
		add("brokers: required")
	}
	for i, b := range c.Brokers {
		if b == "" {
			add("brokers[%d]: empty", i)
		}
	}
	if len(c.Topics) == 0 {
		add("topics: required")
	}
	names := map[string]int{}
	for i, t := range c.Topics {
		if t.Name == "" {
			add("topics[%d].name: required", i)
			continue
		}
		if j, dup := names[t.Name]; dup {
			add("topics[%d].name: %q already configured as topics[%d]", i, t.Name, j)
			continue
		}
		names[t.Name] = i
		if _, err := t.location(); err != nil {
			add("topics[%d].timezone: %v", i, err)
		}
	}
	for i, t := range c.Topics {
		if t.DLQ == "" {
			continue // SetDefaults fills it
		}
		if j, ok := names[t.DLQ]; ok {
			add("topics[%d].dlq: %q is consumed as topics[%d]; dead letters would be read back", i, t.DLQ, j)
		}
	}
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"max_record_bytes", int64(c.MaxRecordBytes)},
		{"batch_records", int64(c.BatchRecords)},
		{"batch_bytes", int64(c.BatchBytes)},
		{"batch_wait", int64(c.BatchWait)},
		{"in_flight_per_partition", int64(c.InFlightPerPartition)},
		{"max_pending_records", int64(c.MaxPendingRecords)},
		{"fetch_wait", int64(c.FetchWait)},
		{"fetch_min_bytes", int64(c.FetchMinBytes)},
		{"commit_interval", int64(c.CommitInterval)},
		{"session_timeout", int64(c.SessionTimeout)},
		{"rebalance_timeout", int64(c.RebalanceTimeout)},
		{"heartbeat_interval", int64(c.HeartbeatInterval)},
		{"drain_timeout", int64(c.DrainTimeout)},
		{"dlq_write_timeout", int64(c.DLQWriteTimeout)},
	} {
		if f.v < 0 {
			add("%s: must not be negative", f.name)
		}
	}
	return errors.Join(errs...)
}

// groupConfig is the kafkagroup configuration of c.
func (c *Config) groupConfig() kafkagroup.Config {
	topics := make([]string, len(c.Topics))
	for i, t := range c.Topics {
		topics[i] = t.Name
	}
	return kafkagroup.Config{
		Brokers:              c.Brokers,
		GroupID:              c.GroupID,
		Topics:               topics,
		MaxBatchRecords:      c.BatchRecords,
		MaxBatchBytes:        c.BatchBytes,
		MaxWait:              c.BatchWait,
		FetchWait:            c.FetchWait,
		FetchMinBytes:        c.FetchMinBytes,
		InFlightPerPartition: c.InFlightPerPartition,
		MaxPendingRecords:    c.MaxPendingRecords,
		CommitInterval:       c.CommitInterval,
		StartFromNewest:      c.StartFromNewest,
		SessionTimeout:       c.SessionTimeout,
		RebalanceTimeout:     c.RebalanceTimeout,
		HeartbeatInterval:    c.HeartbeatInterval,
		DrainTimeout:         c.DrainTimeout,
	}
}
