package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-soc/vigil/correlate"
	"github.com/vigil-soc/vigil/internal/kafkagroup"
)

// correlation runs the correlate topic's consumer and restarts it when the
// correlation rules change. A Correlator's windows and sequences belong to
// its rules, so a new rule set is not swapped under them: the consumer
// leaves the group (committing what is durable) and joins again with a
// Runner over the new rules. Joining rewinds every partition
// (Runner.RewindTo): the last Lookback of alerts is replayed through the
// new rules to rebuild their state, and what was already committed emits
// no incident a second time.
type correlation struct {
	group     kafkagroup.Config
	reg       prometheus.Registerer
	newRunner func([]correlate.Rule) (*correlate.Runner, error)

	mu      sync.Mutex
	runner  *correlate.Runner
	sum     string             // checksum of the running rules
	next    *correlate.Runner  // set by SetRules, taken by Run
	restart context.CancelFunc // ends the current run
}

func newCorrelation(group kafkagroup.Config, reg prometheus.Registerer, rules []correlate.Rule,
	newRunner func([]correlate.Rule) (*correlate.Runner, error)) (*correlation, error) {
	r, err := newRunner(rules)
	if err != nil {
		return nil, err
	}
	sum, err := rulesChecksum(rules)
	if err != nil {
		return nil, err
	}
	return &correlation{group: group, reg: reg, newRunner: newRunner, runner: r, sum: sum}, nil
}

// Run consumes until ctx ends, restarting with the Runner SetRules made.
func (c *correlation) Run(ctx context.Context) error {
	for {
		c.mu.Lock()
		if c.next != nil {
			c.runner, c.next = c.next, nil
		}
		r := c.runner
		runCtx, cancel := context.WithCancel(ctx)
		c.restart = cancel
		c.mu.Unlock()

		err := r.Run(runCtx, c.group, c.reg)
		cancel()
		if ctx.Err() != nil {
			return err
		}
		c.mu.Lock()
		again := c.next != nil
		c.mu.Unlock()
		if !again {
			return err
		}
		r.Close()
	}
}

// Close releases the state of the running Runner and of one waiting to run.
func (c *correlation) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runner.Close()
	if c.next != nil {
		c.next.Close()
	}
}

// SetRules makes the consumer restart with rules when they differ from the
// running ones. Rules that do not validate are refused and the running
// ones stay. It reports whether a restart was asked for.
func (c *correlation) SetRules(rules []correlate.Rule) (bool, error) {
	sum, err := rulesChecksum(rules)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if sum == c.sum {
		return false, nil
	}
	r, err := c.newRunner(rules)
	if err != nil {
		return false, err
	}
	if c.next != nil { // two reloads before the restart: the newer wins
		c.next.Close()
	}
	c.next, c.sum = r, sum
	if c.restart != nil {
		c.restart()
	}
	return true, nil
}

// rulesChecksum identifies a rule set by its definitions.
func rulesChecksum(rules []correlate.Rule) (string, error) {
	b, err := json.Marshal(rules)
	if err != nil {
		return "", fmt.Errorf("checksum correlation rules: %w", err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8]), nil
}
