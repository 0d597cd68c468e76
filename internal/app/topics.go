package app

import (
	"context"
	"fmt"
	"io/fs"
	"os"

	"github.com/vigil-soc/vigil/correlate"
	"github.com/vigil-soc/vigil/escalate"
	"github.com/vigil-soc/vigil/internal/kafkatopic"
	"github.com/vigil-soc/vigil/policies/correlations"
)

// ensureTopics creates vigil's own topics: the dead-letter topics, the
// correlate topic and the escalation topics. Raw log topics belong to the
// producers and are not created here.
func ensureTopics(ctx context.Context, cfg *Config) error {
	var specs []kafkatopic.Spec
	for _, t := range cfg.Ingest.Topics {
		specs = append(specs, kafkatopic.Spec{Name: t.DLQ, Partitions: 1})
	}
	specs = append(specs, kafkatopic.Spec{Name: cfg.Correlate.Topic, Partitions: cfg.Correlate.Partitions})
	for _, t := range cfg.Escalate.Targets {
		if t.Type == escalate.TargetKafka {
			topic := t.Topic
			if topic == "" {
				topic = escalate.DefaultKafkaTopic
			}
			specs = append(specs, kafkatopic.Spec{Name: topic, Partitions: 1})
		}
	}
	if err := kafkatopic.Ensure(ctx, cfg.Kafka.Brokers, specs...); err != nil {
		return fmt.Errorf("kafka.create_topics: %w", err)
	}
	return nil
}

// loadCorrelationRules reads the rule files of dir, or the built-in set.
func loadCorrelationRules(dir string) ([]correlate.Rule, error) {
	var fsys fs.FS = correlations.FS
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	rules, err := correlate.LoadRules(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("load correlation rules: %w", err)
	}
	return rules, nil
}
