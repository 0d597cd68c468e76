package storage

import (
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func loadConfig(t *testing.T, path string) Config {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	c.SetDefaults()
	return c
}

func TestConfigFiles(t *testing.T) {
	good := loadConfig(t, "testdata/good.yml")
	if err := good.Validate(); err != nil {
		t.Errorf("testdata/good.yml: %v", err)
	}
	if good.BatchWait != 2*time.Second || good.AlertBatchWait != 30*time.Millisecond || good.QueueRows != 200000 || good.Cluster != "soc" || !good.StoreOriginal ||
		good.Compression != "zstd" || good.VendorFields != VendorFieldsDoc {
		t.Errorf("testdata/good.yml decoded as %+v", good)
	}
	bad := loadConfig(t, "testdata/bad.yml")
	err := bad.Validate()
	if err == nil {
		t.Fatal("testdata/bad.yml validated")
	}
	for _, field := range []string{"storage.addr:", "storage.database:", "storage.protocol:", "storage.compression:", "storage.vendor_fields:", "storage.retention_days:",
		"storage.batch_rows:", "storage.batch_wait:", "storage.alert_batch_wait:", "storage.max_retries:", "storage.cluster:"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error does not name %s:\n%v", field, err)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	var c Config
	c.SetDefaults()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if c.Database != "vigil" || c.Protocol != "native" || c.RetentionDays != 90 || c.QueueRows != 4*c.BatchRows ||
		c.AlertBatchWait != DefaultAlertBatchWait || c.Compression != "lz4" || c.VendorFields != VendorFieldsMap {
		t.Errorf("defaults: %+v", c)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"queue smaller than batch", func(c *Config) { c.QueueRows = c.BatchRows - 1 }, "storage.queue_rows:"},
		{"backoff above max", func(c *Config) { c.RetryBackoff = time.Minute }, "storage.retry_backoff:"},
		{"no addr", func(c *Config) { c.Addr = nil }, "storage.addr:"},
		{"unknown compression", func(c *Config) { c.Compression = "gzip" }, "storage.compression:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{}
			c.SetDefaults()
			tc.mutate(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("Validate = %v, want an error naming %s", err, tc.field)
			}
		})
	}
}

func TestDedupTokenIgnoresChunking(t *testing.T) {
	evs := sampleEvents(10, time.Now())
	one, _ := encodeEvents(evs, eventEncoding{vendorMap: true})
	a, _ := encodeEvents(evs[:3], eventEncoding{vendorMap: true})
	b, _ := encodeEvents(evs[3:], eventEncoding{vendorMap: true})
	t1 := dedupToken("events", []*request{{c: one}})
	t2 := dedupToken("events", []*request{{c: b}, {c: a}})
	if t1 != t2 {
		t.Errorf("same rows, different tokens: %s %s", t1, t2)
	}
	c, _ := encodeEvents(evs[:9], eventEncoding{vendorMap: true})
	if dedupToken("events", []*request{{c: c}}) == t1 {
		t.Error("different rows, same token")
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements("-- c\nCREATE A;\n\n-- only a comment\n;\nSELECT ';'\nFROM x;\n")
	if len(got) != 2 || got[0] != "-- c\nCREATE A" || got[1] != "SELECT ';'\nFROM x" {
		t.Errorf("splitStatements = %q", got)
	}
}
