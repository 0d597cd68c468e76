package app

import (
	"context"
	"testing"

	"github.com/vigil-soc/vigil/correlate"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/kafkagroup"
)

func TestCorrelationSetRules(t *testing.T) {
	rules, err := loadCorrelationRules("")
	if err != nil {
		t.Fatal(err)
	}
	built := 0
	newRunner := func(rs []correlate.Rule) (*correlate.Runner, error) {
		built++
		return correlate.NewRunner(correlate.RunnerConfig{Correlator: correlate.Config{Rules: rs}, Brokers: []string{"127.0.0.1:1"}}, nopSink{})
	}
	c, err := newCorrelation(kafkagroup.Config{}, nil, rules, newRunner)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if changed, err := c.SetRules(rules); err != nil || changed || built != 1 {
		t.Fatalf("same rules: changed %v, err %v, runners built %d; want no restart", changed, err, built)
	}
	// A rule that did not come through ParseRules is refused by NewRunner.
	bad := append(append([]correlate.Rule(nil), rules...), correlate.Rule{ID: "hand-made", Title: "{{.Key}}"})
	if changed, err := c.SetRules(bad); err == nil || changed || c.next != nil {
		t.Fatalf("invalid rules: changed %v, err %v; want refused", changed, err)
	}
	if changed, err := c.SetRules(rules); err != nil || changed {
		t.Fatalf("the running rules after a refused set: changed %v, err %v; want unchanged", changed, err)
	}
	fewer := rules[1:]
	if changed, err := c.SetRules(fewer); err != nil || !changed || c.next == nil {
		t.Fatalf("changed rules: changed %v, err %v; want a restart queued", changed, err)
	}
	if changed, err := c.SetRules(fewer); err != nil || changed {
		t.Fatalf("the queued rules again: changed %v, err %v; want unchanged", changed, err)
	}
}

type nopSink struct{}

func (nopSink) Incidents(context.Context, []event.Incident) error { return nil }
