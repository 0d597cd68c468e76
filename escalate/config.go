package escalate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigil-soc/vigil/event"
)

// Config is escalate's configuration file (YAML). See testdata/good.yml.
type Config struct {
	// PolicyFile is the auto-confirmation Rego policy; empty means the
	// embedded policy/confirm.rego.
	PolicyFile string `yaml:"policy_file"`
	// PolicyTimeout bounds one auto-confirmation decision (default 2s);
	// a decision past it counts as a policy failure.
	PolicyTimeout time.Duration `yaml:"policy_timeout"`
	Deadlines     Deadlines     `yaml:"deadlines"`
	SLA           SLA           `yaml:"sla"`
	Retry         Retry         `yaml:"retry"`
	// PollInterval is how often the dispatcher polls the outbox and checks
	// deadlines (those at most once a minute).
	PollInterval time.Duration `yaml:"poll_interval"`
	// BatchSize bounds the deliveries taken per poll; Concurrency bounds
	// the sends in flight.
	BatchSize   int            `yaml:"batch_size"`
	Concurrency int            `yaml:"concurrency"`
	Targets     []TargetConfig `yaml:"targets"`
	Routes      []Route        `yaml:"routes"`
}

// Deadlines configures the customer-notification clock that declaring an
// incident starts.
type Deadlines struct {
	// Notify is the default time from declaration to customer notification (72h).
	Notify time.Duration `yaml:"notify"`
	// Tenants overrides Notify per tenant.
	Tenants map[string]time.Duration `yaml:"tenants"`
	// Regulations names deadlines (gdpr: 72h, ...); TenantRegulations puts a
	// tenant under one. A tenant override wins over its regulation.
	Regulations       map[string]time.Duration `yaml:"regulations"`
	TenantRegulations map[string]string        `yaml:"tenant_regulations"`
	// Reminders are marks after declaration; RemindBefore are marks before
	// the deadline. Each mark is reminded once per incident.
	Reminders    []time.Duration `yaml:"reminders"`
	RemindBefore []time.Duration `yaml:"remind_before"`
	// UpdateEvery is the promised cadence of customer updates (drafts).
	UpdateEvery time.Duration `yaml:"update_every"`
}

// SLA holds the targets the postmortem report checks for lapses.
type SLA struct {
	Confirm time.Duration `yaml:"confirm"` // created → declared
	Contain time.Duration `yaml:"contain"` // declared → contained
	Close   time.Duration `yaml:"close"`   // declared → closed
}

// Retry is the delivery retry policy: exponential backoff with jitter.
type Retry struct {
	MaxAttempts    int           `yaml:"max_attempts"`
	InitialBackoff time.Duration `yaml:"initial_backoff"`
	MaxBackoff     time.Duration `yaml:"max_backoff"`
	Jitter         float64       `yaml:"jitter"` // 0..1, fraction of the backoff randomised
}

// Target types.
const (
	TargetWebhook   = "webhook"
	TargetPagerDuty = "pagerduty"
	TargetSlack     = "slack"
	TargetKafka     = "kafka"
)

// TargetConfig is one place deliveries go.
type TargetConfig struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"` // webhook, pagerduty, slack, kafka
	// URL, or URLEnv naming an environment variable that holds it (Slack
	// webhook URLs are secrets).
	URL    string `yaml:"url"`
	URLEnv string `yaml:"url_env"`
	// SecretEnv names the variable holding the webhook HMAC secret.
	SecretEnv string `yaml:"secret_env"`
	// RoutingKeyEnv names the variable holding the PagerDuty routing key.
	RoutingKeyEnv string        `yaml:"routing_key_env"`
	Timeout       time.Duration `yaml:"timeout"`
	// Kafka: brokers and topic (default incidents.confirmed).
	Brokers []string `yaml:"brokers"`
	Topic   string   `yaml:"topic"`
}

// Route matches incidents to an escalation chain. Empty matchers match
// everything; the first matching route wins.
type Route struct {
	Name        string   `yaml:"name"`
	MinSeverity string   `yaml:"min_severity"`
	Tenants     []string `yaml:"tenants"`
	Rules       []string `yaml:"rules"`
	Kinds       []string `yaml:"kinds"`
	Chain       []Level  `yaml:"chain"`

	minSeverity event.Severity
}

// Level is one step of an escalation chain. When a delivery to a level's
// target fails MaxAttempts times, or is still failing EscalateAfter after it
// was created, it is marked failed and the next level gets the incident.
type Level struct {
	Targets       []string      `yaml:"targets"`
	MaxAttempts   int           `yaml:"max_attempts"`
	EscalateAfter time.Duration `yaml:"escalate_after"`
}

// Defaults.
const (
	DefaultNotify        = 72 * time.Hour
	DefaultPolicyTimeout = 2 * time.Second
	DefaultKafkaTopic    = "incidents.confirmed"
	defaultTimeout       = 10 * time.Second
	defaultPollInterval  = 5 * time.Second
)

// ApplyDefaults fills unset fields.
func (c *Config) ApplyDefaults() {
	if c.PolicyTimeout == 0 {
		c.PolicyTimeout = DefaultPolicyTimeout
	}
	if c.Deadlines.Notify == 0 {
		c.Deadlines.Notify = DefaultNotify
	}
	if c.Deadlines.UpdateEvery == 0 {
		c.Deadlines.UpdateEvery = 24 * time.Hour
	}
	if c.SLA.Confirm == 0 {
		c.SLA.Confirm = 4 * time.Hour
	}
	if c.SLA.Contain == 0 {
		c.SLA.Contain = 24 * time.Hour
	}
	if c.SLA.Close == 0 {
		c.SLA.Close = 30 * 24 * time.Hour
	}
	if c.Retry.MaxAttempts == 0 {
		c.Retry.MaxAttempts = 5
	}
	if c.Retry.InitialBackoff == 0 {
		c.Retry.InitialBackoff = 10 * time.Second
	}
	if c.Retry.MaxBackoff == 0 {
		c.Retry.MaxBackoff = 10 * time.Minute
	}
	if c.PollInterval == 0 {
		c.PollInterval = defaultPollInterval
	}
	if c.BatchSize == 0 {
		c.BatchSize = 100
	}
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	for i := range c.Targets {
		t := &c.Targets[i]
		if t.Timeout == 0 {
			t.Timeout = defaultTimeout
		}
		if t.Type == TargetKafka && t.Topic == "" {
			t.Topic = DefaultKafkaTopic
		}
	}
}

// Validate checks the configuration and names the offending setting.
func (c *Config) Validate() error {
	var errs []error
	if c.PolicyTimeout < 0 {
		errs = append(errs, errors.New("policy_timeout: must not be negative"))
	}
	if c.Deadlines.Notify < 0 {
		errs = append(errs, errors.New("deadlines.notify: must not be negative"))
	}
	for _, r := range c.Deadlines.Reminders {
		if r <= 0 || (c.Deadlines.Notify > 0 && r >= c.Deadlines.Notify) {
			errs = append(errs, fmt.Errorf("deadlines.reminders: %s must be within (0, notify)", r))
		}
	}
	for _, r := range c.Deadlines.RemindBefore {
		if r <= 0 {
			errs = append(errs, fmt.Errorf("deadlines.remind_before: %s must be positive", r))
		}
	}
	for tenant, reg := range c.Deadlines.TenantRegulations {
		if _, ok := c.Deadlines.Regulations[reg]; !ok {
			errs = append(errs, fmt.Errorf("deadlines.tenant_regulations: tenant %q names unknown regulation %q", tenant, reg))
		}
	}
	if c.Retry.Jitter < 0 || c.Retry.Jitter > 1 {
		errs = append(errs, fmt.Errorf("retry.jitter: %v must be within [0, 1]", c.Retry.Jitter))
	}
	if c.Retry.MaxAttempts < 0 {
		errs = append(errs, errors.New("retry.max_attempts: must not be negative"))
	}
	names := map[string]bool{}
	for i, t := range c.Targets {
		switch {
		case t.Name == "":
			errs = append(errs, fmt.Errorf("targets[%d]: name is required", i))
			continue
		case names[t.Name]:
			errs = append(errs, fmt.Errorf("targets[%d]: duplicate name %q", i, t.Name))
		}
		names[t.Name] = true
		switch t.Type {
		case TargetWebhook, TargetPagerDuty, TargetSlack:
			if t.URL == "" && t.URLEnv == "" {
				errs = append(errs, fmt.Errorf("targets[%d] %s: url or url_env is required", i, t.Name))
			}
		case TargetKafka:
			if len(t.Brokers) == 0 {
				errs = append(errs, fmt.Errorf("targets[%d] %s: brokers are required", i, t.Name))
			}
		default:
			errs = append(errs, fmt.Errorf("targets[%d] %s: unknown type %q (webhook, pagerduty, slack, kafka)", i, t.Name, t.Type))
		}
		if t.Type == TargetPagerDuty && t.RoutingKeyEnv == "" {
			errs = append(errs, fmt.Errorf("targets[%d] %s: routing_key_env is required", i, t.Name))
		}
	}
	for i := range c.Routes {
		r := &c.Routes[i]
		if r.MinSeverity != "" {
			s, ok := event.ParseSeverity(r.MinSeverity)
			if !ok {
				errs = append(errs, fmt.Errorf("routes[%d] %s: unknown min_severity %q", i, r.Name, r.MinSeverity))
			}
			r.minSeverity = s
		}
		if len(r.Chain) == 0 {
			errs = append(errs, fmt.Errorf("routes[%d] %s: chain needs at least one level", i, r.Name))
		}
		for j, l := range r.Chain {
			if len(l.Targets) == 0 {
				errs = append(errs, fmt.Errorf("routes[%d] %s: chain[%d] has no targets", i, r.Name, j))
			}
			for _, tn := range l.Targets {
				if !names[tn] {
					errs = append(errs, fmt.Errorf("routes[%d] %s: chain[%d] names unknown target %q", i, r.Name, j, tn))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// LoadConfig reads, defaults and validates a configuration file. Unknown
// keys are errors.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read escalate config: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("escalate config %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes, defaults and validates YAML.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("parse YAML: %w", err)
	}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// NotifyDeadline is the customer-notification deadline for a tenant: a
// tenant override, else its regulation, else the default.
func (d Deadlines) NotifyDeadline(tenant string) time.Duration {
	if v, ok := d.Tenants[tenant]; ok {
		return v
	}
	if reg, ok := d.TenantRegulations[tenant]; ok {
		if v, ok := d.Regulations[reg]; ok {
			return v
		}
	}
	if d.Notify == 0 {
		return DefaultNotify
	}
	return d.Notify
}
