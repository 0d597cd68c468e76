package detect

import (
	"errors"
	"fmt"
	"time"
)

// Defaults applied by SetDefaults.
const (
	DefaultEvalTimeout    = time.Second
	DefaultSuppressWindow = 10 * time.Minute
	DefaultReloadInterval = 10 * time.Second
	DefaultBudget         = 20 * time.Microsecond
)

// Config configures the detection engine.
type Config struct {
	// PolicyDir holds the detections (*.rego), their tests, lib/, data/ and
	// fixtures/. Empty means the policies embedded in the binary.
	PolicyDir string `yaml:"policy_dir"`
	// DataDir holds the lookup data mounted under data.vigil. Empty means
	// PolicyDir/data (or the embedded data).
	DataDir string `yaml:"data_dir"`
	// Workers bounds the goroutines evaluating one Detect batch.
	Workers int `yaml:"workers"`
	// EvalTimeout bounds the evaluation of one event (all detections), in
	// wall time. One evaluation takes microseconds; the bound is there for
	// a pathological policy, so it is generous: on a busy machine an
	// evaluation also waits for the CPU. An evaluation that exceeds it is
	// retried once with ten times the bound before its findings are lost.
	EvalTimeout time.Duration `yaml:"eval_timeout"`
	// SuppressWindow folds repeated findings of a detection for the same
	// entities into one alert with a count. Zero after SetDefaults means the
	// default; a negative value disables suppression.
	SuppressWindow time.Duration `yaml:"suppress_window"`
	// Reload configures Watch.
	Reload ReloadConfig `yaml:"reload"`
	// DefaultBudget is the cost budget per event of a detection that does
	// not set budget_ns in its metadata.
	DefaultBudget time.Duration `yaml:"default_budget"`
	// SkipTests skips running the policy tests on load and reload. Only for
	// tools that run the tests themselves.
	SkipTests bool `yaml:"-"`
	// Now is the clock used for DetectedAt; nil means time.Now.
	Now func() time.Time `yaml:"-"`
}

// ReloadConfig configures how Watch polls the policy and data directories.
type ReloadConfig struct {
	// Interval between polls. Zero after SetDefaults means the default; a
	// negative value disables polling (Reload can still be called, e.g. on
	// SIGHUP).
	Interval time.Duration `yaml:"interval"`
}

// SetDefaults fills unset fields.
func (c *Config) SetDefaults() {
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.EvalTimeout == 0 {
		c.EvalTimeout = DefaultEvalTimeout
	}
	if c.SuppressWindow == 0 {
		c.SuppressWindow = DefaultSuppressWindow
	}
	if c.Reload.Interval == 0 {
		c.Reload.Interval = DefaultReloadInterval
	}
	if c.DefaultBudget == 0 {
		c.DefaultBudget = DefaultBudget
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports settings that cannot work together.
func (c *Config) Validate() error {
	var errs []error
	if c.Workers < 0 {
		errs = append(errs, fmt.Errorf("workers: must not be negative, got %d", c.Workers))
	}
	if c.EvalTimeout < 0 {
		errs = append(errs, fmt.Errorf("eval_timeout: must not be negative, got %s", c.EvalTimeout))
	}
	if c.DefaultBudget < 0 {
		errs = append(errs, fmt.Errorf("default_budget: must not be negative, got %s", c.DefaultBudget))
	}
	return errors.Join(errs...)
}
