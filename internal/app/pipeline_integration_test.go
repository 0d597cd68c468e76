package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/escalate"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest"
	"github.com/vigil-soc/vigil/internal/testenv"
	"github.com/vigil-soc/vigil/policies/correlations"
	"github.com/vigil-soc/vigil/storage"
)

// TestPipelineEndToEnd runs the whole service against the real Kafka and
// ClickHouse: generated attack telemetry in native formats plus garbage goes
// in; every good record must be stored as an event, every bad one must be
// in its dead-letter topic, and each injected attack must become an
// incident that was escalated.
func TestPipelineEndToEnd(t *testing.T) {
	testenv.Integration(t)
	kenv := testenv.Kafka(t)
	chenv := testenv.ClickHouse(t)
	db := chenv.Database(t)

	g := gen.New(gen.Config{Seed: 7, Tenants: []string{"acme"}, Start: time.Now().Add(-2 * time.Hour).UTC(),
		Noise: false, Scenarios: []string{"ssh_bruteforce_sudo", "aws_credential_misuse", "windows_credential_dumping", "zeek_dns_tunnel"}})
	var records []gen.Record
	// The DNS tunnel's incident is a threshold over one suppressed alert's
	// running count: it proves folded findings reach correlation.
	for len(g.Expected()) < 4 {
		records = append(records, g.Next())
	}
	expected := g.Expected()

	// One real topic per source the records use.
	topicOf := map[string]string{}
	cfg := &Config{}
	for _, r := range records {
		if _, ok := topicOf[r.Source]; !ok {
			topicOf[r.Source] = kenv.Topic(t, 3)
			cfg.Ingest.Topics = append(cfg.Ingest.Topics, ingest.TopicConfig{Name: topicOf[r.Source], Source: r.Source, Tenant: "acme", DLQ: kenv.Topic(t, 1)})
		}
	}
	for _, ti := range g.Tenants() {
		cfg.Ingest.TenantAliases = map[string]string{ti.EntraTenantID: ti.Name, ti.AWSAccountID: ti.Name}
	}
	cfg.Kafka.Brokers = kenv.Brokers
	cfg.Ingest.MaxRecordBytes = 64 << 10
	cfg.Ingest.GroupID = "it-ingest-" + db
	cfg.Correlate.Topic = kenv.Topic(t, 3)
	cfg.Correlate.GroupID = "it-correlate-" + db
	cfg.Storage.Addr = []string{chenv.Addr}
	cfg.Storage.Database = db
	cfg.Storage.Migrate = true
	cfg.Storage.BatchWait = 100 * time.Millisecond
	cfg.Server.Listen = "127.0.0.1:0"
	recv, err := startReceiver()
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	cfg.Escalate.Targets = append(cfg.Escalate.Targets, escalateWebhook(recv.URL))
	cfg.Escalate.Routes = append(cfg.Escalate.Routes, escalateRoute("test", "hook"))
	cfg.Escalate.PollInterval = 200 * time.Millisecond
	// The auto-confirmation policy from a file, as operators run it, so
	// that its reload is exercised at the end.
	policyFile := filepath.Join(t.TempDir(), "confirm.rego")
	if err := os.WriteFile(policyFile, []byte(escalate.DefaultPolicySource()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Escalate.PolicyFile = policyFile
	// Correlation rules from a directory, as operators keep them, so that
	// their reload is exercised too.
	cfg.Correlate.RulesDir = copyCorrelationRules(t)
	cfg.SetDefaults()
	if ps := cfg.Validate(); len(ps) > 0 {
		t.Fatalf("config: %v", ps)
	}

	garbage := []kafka.Message{
		{Topic: topicOf["syslog"], Value: []byte("\x00\x01 not a log line")},
		{Topic: topicOf["aws.cloudtrail"], Value: []byte(`{"eventName": "Truncated`)},
		{Topic: topicOf["windows"], Value: []byte(strings.Repeat("x", 100<<10))},
	}
	// Not kafka-go's shared default transport: its metadata cache predates
	// the test's topic.
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Transport: tr, Addr: kafka.TCP(kenv.Brokers...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond, BatchBytes: 4 << 20}
	defer w.Close()
	msgs := make([]kafka.Message, 0, len(records)+len(garbage))
	for _, r := range records {
		msgs = append(msgs, kafka.Message{Topic: topicOf[r.Source], Key: r.Key, Value: r.Value, Time: r.Time})
	}
	msgs = append(msgs, garbage...)
	if err := w.WriteMessages(t.Context(), msgs...); err != nil {
		t.Fatalf("produce: %v", err)
	}

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, stop := context.WithCancel(t.Context())
	svc, err := Start(ctx, cfg, logger, prometheus.NewRegistry())
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer func() {
		stop()
		if err := svc.Wait(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()

	conn := chenv.Conn(t, db)
	want := len(records)
	waitFor(t, 3*time.Minute, func() (bool, string) {
		var stored uint64
		if err := conn.QueryRow(t.Context(), "SELECT uniqExact(event_id) FROM events").Scan(&stored); err != nil {
			return false, err.Error()
		}
		incs, err := svc.Store.ListIncidents(t.Context(), storage.IncidentFilter{Limit: 1000})
		if err != nil {
			return false, err.Error()
		}
		found := 0
		for _, e := range expected {
			if len(matching(incs, e)) > 0 {
				found++
			}
		}
		tunnel := slices.ContainsFunc(incs, func(inc event.Incident) bool { return inc.Rule == "network-dns-tunnelling" })
		return int(stored) == want && found == len(expected) && tunnel,
			fmt.Sprintf("events stored %d of %d; attacks with an incident %d of %d; DNS-tunnel threshold incident %v",
				stored, want, found, len(expected), tunnel)
	})

	for _, gm := range garbage {
		var dlqTopic string
		for _, tc := range cfg.Ingest.Topics {
			if tc.Name == gm.Topic {
				dlqTopic = tc.DLQ
			}
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: kenv.Brokers, Topic: dlqTopic, Partition: 0, MaxWait: 100 * time.Millisecond})
		rctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		m, err := r.ReadMessage(rctx)
		cancel()
		r.Close()
		if err != nil {
			t.Fatalf("dead-letter topic %s: %v", dlqTopic, err)
		}
		if !slices.ContainsFunc(m.Headers, func(h kafka.Header) bool { return h.Key == ingest.HeaderReason && len(h.Value) > 0 }) {
			t.Errorf("dead letter in %s has no reason header: %v", dlqTopic, m.Headers)
		}
	}

	// Every alert an incident cites is stored, signals included (the SSH
	// brute force is a threshold over failed-logon signals).
	waitFor(t, 30*time.Second, func() (bool, string) {
		var dangling, signals uint64
		err := conn.QueryRow(t.Context(), `SELECT
			countIf(a NOT IN (SELECT alert_id FROM alerts)),
			countIf(a IN (SELECT alert_id FROM alerts WHERE signal))
			FROM (SELECT arrayJoin(alert_ids) AS a FROM incidents FINAL)`).Scan(&dangling, &signals)
		if err != nil {
			return false, err.Error()
		}
		return dangling == 0 && signals > 0, fmt.Sprintf("%d alert ids cited by incidents not in alerts; %d signals cited", dangling, signals)
	})

	// Escalation: at least one confirmed incident reached the webhook.
	waitFor(t, time.Minute, func() (bool, string) {
		n := len(recv.Received())
		return n > 0, fmt.Sprintf("%d deliveries", n)
	})

	// Reload: a broken auto-confirmation policy is refused with its file
	// named, and a good one is taken.
	if err := os.WriteFile(policyFile, []byte("package vigil.escalate\n\nconfirm := \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := svc.ReloadPolicies(t.Context()); err == nil || !strings.Contains(err.Error(), policyFile) {
		t.Fatalf("reload of a broken policy: %v; want an error naming %s", err, policyFile)
	}
	if err := os.WriteFile(policyFile, []byte(escalate.DefaultPolicySource()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := svc.ReloadPolicies(t.Context()); err != nil {
		t.Fatalf("reload of a good policy: %v", err)
	}

	// Correlation rules: a broken file is refused with its name and the
	// running rules stay; a new rule is taken and raises incidents from the
	// alerts that follow.
	broken := filepath.Join(cfg.Correlate.RulesDir, "broken.yaml")
	if err := os.WriteFile(broken, []byte("rules:\n  - id: broken\n    kind: nonsense\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := svc.ReloadPolicies(t.Context()); err == nil || !strings.Contains(err.Error(), "broken.yaml") {
		t.Fatalf("reload of a broken correlation rule: %v; want an error naming broken.yaml", err)
	}
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	const added = `rules:
  - id: it-reloaded-sudoers
    kind: threshold
    title: "sudoers changed on {{.Group.host}}"
    match:
      detections: ["linux-sudoers-modified"]
    group_by: [host]
    threshold: 1
    window: 1h
    severity: high
    confidence: 70
`
	if err := os.WriteFile(filepath.Join(cfg.Correlate.RulesDir, "added.yaml"), []byte(added), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := svc.ReloadPolicies(t.Context()); err != nil {
		t.Fatalf("reload with an added correlation rule: %v", err)
	}
	g2 := gen.New(gen.Config{Seed: 8, Tenants: []string{"acme"}, Start: time.Now().Add(-10 * time.Minute).UTC(),
		Noise: false, Scenarios: []string{"ssh_bruteforce_sudo"}})
	var more []kafka.Message
	for len(g2.Expected()) < 1 {
		r := g2.Next()
		more = append(more, kafka.Message{Topic: topicOf[r.Source], Key: r.Key, Value: r.Value, Time: r.Time})
	}
	if err := w.WriteMessages(t.Context(), more...); err != nil {
		t.Fatalf("produce after reload: %v", err)
	}
	waitFor(t, 3*time.Minute, func() (bool, string) {
		incs, err := svc.Store.ListIncidents(t.Context(), storage.IncidentFilter{Limit: 1000})
		if err != nil {
			return false, err.Error()
		}
		n := 0
		for _, inc := range incs {
			if inc.Rule == "it-reloaded-sudoers" {
				n++
			}
		}
		return n > 0, fmt.Sprintf("%d incidents of the added rule", n)
	})
}

// copyCorrelationRules copies the built-in correlation rules into a
// temporary directory.
func copyCorrelationRules(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := fs.Glob(correlations.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("built-in correlation rules: %v, %v", files, err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(correlations.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func waitFor(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s: %s", timeout, state)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
