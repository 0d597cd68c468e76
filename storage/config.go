package storage

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"time"
)

// Config is the storage section of vigil's configuration.
type Config struct {
	// Addr lists ClickHouse servers as host:port (native port, or the HTTP
	// port when Protocol is http).
	Addr     []string `yaml:"addr"`
	Database string   `yaml:"database"`
	Username string   `yaml:"username"`
	Password string   `yaml:"password"`
	// Protocol is "native" (default) or "http".
	Protocol string `yaml:"protocol"`
	// Compression of the blocks sent to and read from the server: "lz4"
	// (default), "zstd" or "none". Compressing costs CPU on both ends and
	// saves bandwidth: worth it across a network, not on one machine.
	Compression string `yaml:"compression"`
	// RetentionDays is the TTL of the events table.
	RetentionDays int `yaml:"retention_days"`
	// StoreOriginal keeps event.original (the raw record) in its own
	// compressed column; otherwise it is dropped.
	StoreOriginal bool `yaml:"store_original"`
	// VendorFields is where the vendor namespaces (aws, o365, winlog, ...)
	// are stored: "map" (default) in doc and also flattened into the fields
	// map column, so analysts can write fields['aws.cloudtrail.eventSource'];
	// "doc" in doc only, read with JSONExtract*(doc, 'aws', ...). "doc"
	// spares vigil the flattening and ClickHouse the second copy.
	VendorFields string `yaml:"vendor_fields"`
	// BatchRows is the number of rows that triggers a flush; BatchWait the
	// longest an event row waits for its batch to fill.
	BatchRows int           `yaml:"batch_rows"`
	BatchWait time.Duration `yaml:"batch_wait"`
	// AlertBatchWait is BatchWait for the tables people and escalation wait
	// on: alerts, incidents, their timeline and deliveries. Every INSERT is
	// a new part the server writes and later merges, whatever its size: in
	// a live stream of 4 800 events/s, 20 ms here and 200 ms for events cost
	// ClickHouse 166–181 CPU-µs per event, 250 ms and 1 s 136–151, for up to
	// a quarter of a second more from a record to its alert row.
	AlertBatchWait time.Duration `yaml:"alert_batch_wait"`
	// QueueRows bounds the rows waiting per table (in addition to the one
	// batch being written); callers block when it is full.
	QueueRows int `yaml:"queue_rows"`
	// MaxRetries is how often a failing INSERT is retried before its callers
	// get the error; 0 retries until the server is back or Close gives up.
	MaxRetries int `yaml:"max_retries"`
	// RetryBackoff is the first retry delay, doubled per attempt up to
	// RetryBackoffMax.
	RetryBackoff    time.Duration `yaml:"retry_backoff"`
	RetryBackoffMax time.Duration `yaml:"retry_backoff_max"`
	// DialTimeout bounds connecting; QueryTimeout bounds reads and Query.
	DialTimeout  time.Duration `yaml:"dial_timeout"`
	QueryTimeout time.Duration `yaml:"query_timeout"`
	// FlushTimeout bounds how long Close keeps retrying pending batches.
	FlushTimeout time.Duration `yaml:"flush_timeout"`
	// QueryMaxRows caps the rows Query returns.
	QueryMaxRows int `yaml:"query_max_rows"`
	// Cluster, when set, makes migrations emit ON CLUSTER DDL with
	// Replicated*MergeTree local tables and Distributed tables; "" is a
	// single server.
	Cluster string `yaml:"cluster"`
	// Migrate applies pending migrations in Open.
	Migrate bool `yaml:"migrate"`
}

// Values of Config.VendorFields.
const (
	VendorFieldsMap = "map"
	VendorFieldsDoc = "doc"
)

// Defaults.
const (
	DefaultDatabase       = "vigil"
	DefaultRetentionDays  = 90
	DefaultBatchRows      = 20000
	DefaultBatchWait      = time.Second
	DefaultAlertBatchWait = 250 * time.Millisecond
)

// SetDefaults fills unset fields.
func (c *Config) SetDefaults() {
	if len(c.Addr) == 0 {
		c.Addr = []string{"127.0.0.1:9000"}
	}
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	if c.Username == "" {
		c.Username = "default"
	}
	if c.Protocol == "" {
		c.Protocol = "native"
	}
	if c.Compression == "" {
		c.Compression = "lz4"
	}
	if c.VendorFields == "" {
		c.VendorFields = VendorFieldsMap
	}
	if c.RetentionDays == 0 {
		c.RetentionDays = DefaultRetentionDays
	}
	if c.BatchRows == 0 {
		c.BatchRows = DefaultBatchRows
	}
	if c.BatchWait == 0 {
		c.BatchWait = DefaultBatchWait
	}
	if c.AlertBatchWait == 0 {
		c.AlertBatchWait = DefaultAlertBatchWait
	}
	if c.QueueRows == 0 {
		c.QueueRows = 4 * c.BatchRows
	}
	if c.RetryBackoff == 0 {
		c.RetryBackoff = 100 * time.Millisecond
	}
	if c.RetryBackoffMax == 0 {
		c.RetryBackoffMax = 10 * time.Second
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 5 * time.Second
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = time.Minute
	}
	if c.FlushTimeout == 0 {
		c.FlushTimeout = 30 * time.Second
	}
	if c.QueryMaxRows == 0 {
		c.QueryMaxRows = 10000
	}
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate reports every invalid setting, each named by its path.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("storage.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if len(c.Addr) == 0 {
		bad("addr", "at least one host:port is required")
	}
	for i, a := range c.Addr {
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			bad("addr", "[%d] %q is not host:port", i, a)
			continue
		}
		if p, err := strconv.Atoi(port); host == "" || err != nil || p <= 0 || p > 65535 {
			bad("addr", "[%d] %q is not host:port", i, a)
		}
	}
	if !identRE.MatchString(c.Database) {
		bad("database", "%q is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)", c.Database)
	}
	if c.Protocol != "native" && c.Protocol != "http" {
		bad("protocol", "%q is neither native nor http", c.Protocol)
	}
	if _, err := ClientCompression(c.Compression); err != nil {
		bad("compression", "%v", err)
	}
	if c.VendorFields != VendorFieldsMap && c.VendorFields != VendorFieldsDoc {
		bad("vendor_fields", "%q is neither %s nor %s", c.VendorFields, VendorFieldsMap, VendorFieldsDoc)
	}
	if c.RetentionDays < 1 {
		bad("retention_days", "%d must be at least 1", c.RetentionDays)
	}
	if c.BatchRows < 1 || c.BatchRows > 1_000_000 {
		bad("batch_rows", "%d is outside 1..1000000", c.BatchRows)
	}
	if c.BatchWait <= 0 {
		bad("batch_wait", "%s must be positive", c.BatchWait)
	}
	if c.AlertBatchWait <= 0 {
		bad("alert_batch_wait", "%s must be positive", c.AlertBatchWait)
	}
	if c.QueueRows < c.BatchRows {
		bad("queue_rows", "%d is smaller than storage.batch_rows (%d)", c.QueueRows, c.BatchRows)
	}
	if c.MaxRetries < 0 {
		bad("max_retries", "%d is negative", c.MaxRetries)
	}
	if c.RetryBackoff <= 0 || c.RetryBackoffMax < c.RetryBackoff {
		bad("retry_backoff", "%s must be positive and at most storage.retry_backoff_max (%s)", c.RetryBackoff, c.RetryBackoffMax)
	}
	if c.DialTimeout <= 0 {
		bad("dial_timeout", "%s must be positive", c.DialTimeout)
	}
	if c.QueryTimeout <= 0 {
		bad("query_timeout", "%s must be positive", c.QueryTimeout)
	}
	if c.FlushTimeout <= 0 {
		bad("flush_timeout", "%s must be positive", c.FlushTimeout)
	}
	if c.QueryMaxRows < 1 {
		bad("query_max_rows", "%d must be at least 1", c.QueryMaxRows)
	}
	if c.Cluster != "" && !identRE.MatchString(c.Cluster) {
		bad("cluster", "%q is not a plain identifier", c.Cluster)
	}
	return errors.Join(errs...)
}
