package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigil-soc/vigil/api"
	"github.com/vigil-soc/vigil/correlate"
	"github.com/vigil-soc/vigil/detect"
	"github.com/vigil-soc/vigil/escalate"
	"github.com/vigil-soc/vigil/ingest"
	"github.com/vigil-soc/vigil/storage"
)

// Config is the whole of vigil's configuration: one section per stage, plus
// the process-level settings only main and the wiring use.
type Config struct {
	Kafka     KafkaConfig     `yaml:"kafka"`
	Ingest    ingest.Config   `yaml:"ingest"`
	Detect    detect.Config   `yaml:"detect"`
	Correlate CorrelateConfig `yaml:"correlate"`
	Storage   storage.Config  `yaml:"storage"`
	Escalate  escalate.Config `yaml:"escalate"`
	API       api.Config      `yaml:"api"`
	Server    ServerConfig    `yaml:"server"`
	Log       LogConfig       `yaml:"log"`
	Runtime   RuntimeConfig   `yaml:"runtime"`
}

// CorrelateConfig is the correlation stage: its rules and the Kafka topic
// alerts are re-keyed through.
type CorrelateConfig struct {
	// RulesDir holds the rule files; "" is the built-in set
	// (policies/correlations).
	RulesDir string   `yaml:"rules_dir"`
	Brokers  []string `yaml:"brokers"`
	Topic    string   `yaml:"topic"`
	GroupID  string   `yaml:"group_id"`
	// Partitions of the correlate topic when vigil creates it; the number
	// of processes that can share correlation work.
	Partitions int           `yaml:"partitions"`
	Lateness   time.Duration `yaml:"lateness"`
	// CatchUpGrace holds the watermark back by this much processing time,
	// so that while a backlog is caught up the alerts of a source read
	// slower than the others still join their windows; default 5m.
	CatchUpGrace time.Duration `yaml:"catch_up_grace"`
	MaxKeys      int           `yaml:"max_keys"`
	// Lookback is how far a newly assigned partition is re-read to rebuild
	// open windows; default the longest rule window plus lateness.
	Lookback time.Duration `yaml:"lookback"`
}

// SetDefaults fills unset settings.
func (c *CorrelateConfig) SetDefaults() {
	if c.Topic == "" {
		c.Topic = correlate.DefaultTopic
	}
	if c.GroupID == "" {
		c.GroupID = "vigil-correlate"
	}
	if c.Partitions == 0 {
		c.Partitions = 6
	}
	if c.Lateness == 0 {
		// Sources drift apart by minutes when a consumer catches up after an
		// outage; a generous lateness keeps their alerts in event-time
		// windows at the cost of holding windows open longer.
		c.Lateness = defaultLateness
	}
	if c.CatchUpGrace == 0 {
		c.CatchUpGrace = defaultCatchUpGrace
	}
}

// Validate reports settings that cannot work.
func (c *CorrelateConfig) Validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("correlate.brokers: required"))
	}
	if c.Partitions < 1 {
		errs = append(errs, fmt.Errorf("correlate.partitions: %d, want at least 1", c.Partitions))
	}
	if c.Lateness < 0 || c.Lookback < 0 || c.CatchUpGrace < 0 {
		errs = append(errs, errors.New("correlate.lateness, correlate.catch_up_grace, correlate.lookback: must not be negative"))
	}
	if c.MaxKeys < 0 {
		errs = append(errs, fmt.Errorf("correlate.max_keys: %d is negative", c.MaxKeys))
	}
	if c.RulesDir != "" {
		if _, err := os.Stat(c.RulesDir); err != nil {
			errs = append(errs, fmt.Errorf("correlate.rules_dir: %w", err))
		}
	}
	return errors.Join(errs...)
}

// KafkaConfig holds the brokers every stage that talks to Kafka shares; a
// stage's own brokers setting wins when it is set.
type KafkaConfig struct {
	Brokers []string `yaml:"brokers"`
	// CreateTopics creates vigil's own topics (the correlate topic, the
	// dead-letter topics, the escalation topic) when they are missing.
	CreateTopics bool `yaml:"create_topics"`
}

// ServerConfig is the HTTP listener for the API, health and metrics.
type ServerConfig struct {
	Listen          string        `yaml:"listen"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// Pprof serves /debug/pprof/ on the same listener (for profiling; keep
	// the listener on loopback when it is on).
	Pprof bool `yaml:"pprof"`
}

// LogConfig selects the log level and format.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text, json
}

// Environment variables that override the file, so that secrets and the
// local stack's ports need not be written into it.
const (
	EnvKafkaBrokers     = "VIGIL_KAFKA_BROKERS"
	EnvClickHouseAddr   = "VIGIL_CLICKHOUSE_ADDR"
	EnvClickHouseUser   = "VIGIL_CLICKHOUSE_USER"
	EnvClickHousePass   = "VIGIL_CLICKHOUSE_PASSWORD"
	EnvClickHouseDB     = "VIGIL_CLICKHOUSE_DATABASE"
	EnvListen           = "VIGIL_LISTEN"
	defaultLocalKafka   = "127.0.0.1:19092"
	defaultLocalCH      = "127.0.0.1:19000"
	defaultListen       = "127.0.0.1:8080"
	defaultShutdownTime = 30 * time.Second
	defaultLateness     = 30 * time.Minute
	defaultCatchUpGrace = 5 * time.Minute
)

// LoadConfig reads a YAML file, expands ${VAR} references from the
// environment, applies the VIGIL_* overrides and defaults, and validates
// every section. The returned error is a *ConfigError listing every problem
// with its path.
func LoadConfig(path string) (*Config, error) {
	if path == "" {
		return nil, errNoConfig
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return ParseConfig(path, raw, os.LookupEnv)
}

// ParseConfig is LoadConfig on bytes already read; lookup reads the
// environment.
func ParseConfig(name string, raw []byte, lookup func(string) (string, bool)) (*Config, error) {
	// Unknown keys and type errors are reported against the file as
	// written, with its line numbers.
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&Config{}); err != nil && !errors.Is(err, io.EOF) {
		return nil, &ConfigError{File: name, Problems: yamlProblems(err)}
	}
	// ${VAR} is expanded inside values only, never in comments or keys.
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, &ConfigError{File: name, Problems: yamlProblems(err)}
	}
	var missing []string
	expandScalars(&root, func(key string) string {
		v, ok := lookup(key)
		if !ok {
			missing = append(missing, key)
		}
		return v
	})
	cfg := &Config{}
	if len(root.Content) > 0 {
		if err := root.Decode(cfg); err != nil {
			return nil, &ConfigError{File: name, Problems: yamlProblems(err)}
		}
	}
	cfg.applyEnv(lookup)
	cfg.SetDefaults()
	problems := cfg.Validate()
	for _, k := range missing {
		problems = append(problems, Problem{Message: fmt.Sprintf("environment variable %s is referenced but not set", k)})
	}
	if len(problems) > 0 {
		return cfg, &ConfigError{File: name, Problems: problems}
	}
	return cfg, nil
}

func expandScalars(n *yaml.Node, mapping func(string) string) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "$") {
		n.Value = os.Expand(n.Value, mapping)
		return
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			continue // a key
		}
		expandScalars(c, mapping)
	}
}

func yamlProblems(err error) []Problem {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := make([]Problem, 0, len(te.Errors))
		for _, e := range te.Errors {
			out = append(out, Problem{Message: e})
		}
		return out
	}
	return []Problem{{Message: err.Error()}}
}

func (c *Config) applyEnv(lookup func(string) (string, bool)) {
	if v, ok := lookup(EnvKafkaBrokers); ok && v != "" {
		c.Kafka.Brokers = splitList(v)
		c.Ingest.Brokers = nil
		c.Correlate.Brokers = nil
		for i := range c.Escalate.Targets {
			c.Escalate.Targets[i].Brokers = nil
		}
	}
	if v, ok := lookup(EnvClickHouseAddr); ok && v != "" {
		c.Storage.Addr = splitList(v)
	}
	if v, ok := lookup(EnvClickHouseUser); ok {
		c.Storage.Username = v
	}
	if v, ok := lookup(EnvClickHousePass); ok {
		c.Storage.Password = v
	}
	if v, ok := lookup(EnvClickHouseDB); ok && v != "" {
		c.Storage.Database = v
	}
	if v, ok := lookup(EnvListen); ok && v != "" {
		c.Server.Listen = v
	}
}

// SetDefaults fills every unset setting with a value that works against
// the local stack.
func (c *Config) SetDefaults() {
	if len(c.Kafka.Brokers) == 0 {
		c.Kafka.Brokers = []string{defaultLocalKafka}
	}
	if len(c.Ingest.Brokers) == 0 {
		c.Ingest.Brokers = c.Kafka.Brokers
	}
	if len(c.Correlate.Brokers) == 0 {
		c.Correlate.Brokers = c.Kafka.Brokers
	}
	for i := range c.Escalate.Targets {
		if c.Escalate.Targets[i].Type == escalate.TargetKafka && len(c.Escalate.Targets[i].Brokers) == 0 {
			c.Escalate.Targets[i].Brokers = c.Kafka.Brokers
		}
	}
	if len(c.Storage.Addr) == 0 {
		c.Storage.Addr = []string{defaultLocalCH}
	}
	if c.Server.Listen == "" {
		c.Server.Listen = defaultListen
	}
	if c.Server.ShutdownTimeout == 0 {
		c.Server.ShutdownTimeout = defaultShutdownTime
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	c.Runtime.SetDefaults()
	c.Ingest.SetDefaults()
	c.Detect.SetDefaults()
	c.Correlate.SetDefaults()
	c.Storage.SetDefaults()
	c.Escalate.ApplyDefaults()
}

// Validate checks every section and returns all problems, sorted by path.
func (c *Config) Validate() []Problem {
	var ps []Problem
	ps = append(ps, problemsFrom("ingest", c.Ingest.Validate())...)
	ps = append(ps, problemsFrom("detect", c.Detect.Validate())...)
	ps = append(ps, problemsFrom("correlate", c.Correlate.Validate())...)
	ps = append(ps, problemsFrom("storage", c.Storage.Validate())...)
	ps = append(ps, problemsFrom("escalate", c.Escalate.Validate())...)
	ps = append(ps, c.Runtime.Validate()...)
	if _, err := parseLevel(c.Log.Level); err != nil {
		ps = append(ps, Problem{Path: "log.level", Message: err.Error()})
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		ps = append(ps, Problem{Path: "log.format", Message: fmt.Sprintf("%q is not text or json", c.Log.Format)})
	}
	if !strings.Contains(c.Server.Listen, ":") {
		ps = append(ps, Problem{Path: "server.listen", Message: fmt.Sprintf("%q is not host:port", c.Server.Listen)})
	}
	sortProblems(ps)
	return ps
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
