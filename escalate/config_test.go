package escalate

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigFiles(t *testing.T) {
	cfg, err := LoadConfig("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Deadlines.NotifyDeadline("listedco") != 96*time.Hour || cfg.PolicyTimeout != 2*time.Second || len(cfg.Routes) != 3 || cfg.Targets[3].Topic != DefaultKafkaTopic {
		t.Fatalf("good.yml: %+v", cfg)
	}
	bad, _ := filepath.Glob("testdata/bad_*.yml")
	if len(bad) == 0 {
		t.Fatal("no bad configs")
	}
	for _, path := range bad {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, err := LoadConfig(path)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
		})
	}
	if _, err := LoadPolicy(context.Background(), "testdata/bad_policy.rego"); err == nil {
		t.Fatal("bad policy file accepted")
	}
}
