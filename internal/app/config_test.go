package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestLocalConfigIsValid(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("..", "..", "deploy", "local", "vigil.yaml"))
	if err != nil {
		t.Fatalf("deploy/local/vigil.yaml: %v", err)
	}
	if cfg.Storage.Database != "vigil" || len(cfg.Ingest.Topics) != 7 {
		t.Fatalf("unexpected local config: database %q, %d topics", cfg.Storage.Database, len(cfg.Ingest.Topics))
	}
}

func TestConfigProblemsHavePaths(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "config", "bad.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseConfig("bad.yaml", raw, lookupFrom(nil))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want a *ConfigError, got %v", err)
	}
	got := map[string]bool{}
	for _, p := range ce.Problems {
		got[p.Path] = true
	}
	for _, want := range []string{"ingest.topics[1].name", "ingest.topics[2].name", "log.level", "log.format", "server.listen", "storage.protocol"} {
		if !got[want] {
			t.Errorf("no problem reported at %s; got %v", want, ce.Problems)
		}
	}
	if !strings.Contains(err.Error(), "bad.yaml") {
		t.Errorf("the error must name the file: %v", err)
	}
}

func TestConfigUnknownFieldIsAnError(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "config", "unknown-field.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseConfig("unknown-field.yaml", raw, lookupFrom(nil))
	if err == nil || !strings.Contains(err.Error(), "batch_recrods") || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("want an error naming the unknown field and its line, got %v", err)
	}
}

func TestConfigEnvironment(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "config", "env.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		env         map[string]string
		wantErr     string
		wantBrokers string
		wantCH      string
	}{
		{"defaults", map[string]string{"DEMO_TENANT": "acme", "CH_SECRET": "s3cret"}, "", "127.0.0.1:19092", "127.0.0.1:19000"},
		{"overrides", map[string]string{"DEMO_TENANT": "acme", "CH_SECRET": "x", EnvKafkaBrokers: "k1:9092, k2:9092", EnvClickHouseAddr: "ch:9000"}, "", "k1:9092,k2:9092", "ch:9000"},
		{"missing variable", map[string]string{"DEMO_TENANT": "acme"}, "CH_SECRET", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig("env.yaml", raw, lookupFrom(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want an error about %s, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(cfg.Ingest.Brokers, ","); got != tc.wantBrokers {
				t.Errorf("ingest brokers = %s, want %s", got, tc.wantBrokers)
			}
			if got := strings.Join(cfg.Correlate.Brokers, ","); got != tc.wantBrokers {
				t.Errorf("correlate brokers = %s, want %s", got, tc.wantBrokers)
			}
			if got := strings.Join(cfg.Storage.Addr, ","); got != tc.wantCH {
				t.Errorf("storage addr = %s, want %s", got, tc.wantCH)
			}
			if cfg.Ingest.Topics[0].Tenant != "acme" || cfg.Storage.Password != tc.env["CH_SECRET"] {
				t.Errorf("${VAR} not expanded: tenant %q password %q", cfg.Ingest.Topics[0].Tenant, cfg.Storage.Password)
			}
		})
	}
}
