package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"gopkg.in/yaml.v3"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest/parse"
	"github.com/vigil-soc/vigil/internal/kafkagroup"
)

func loadConfig(t *testing.T, file string) Config {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Ingest Config `yaml:"ingest"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	return doc.Ingest
}

func TestConfigGood(t *testing.T) {
	c := loadConfig(t, "testdata/good.yml")
	c.SetDefaults()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if c.Topics[0].DLQ != "raw.cloudtrail.dlq" || c.Topics[1].DLQ != "raw.mixed.dead" {
		t.Errorf("dlq defaults: %+v", c.Topics)
	}
	if c.BatchWait.Milliseconds() != 100 || c.GroupID != "vigil-ingest" {
		t.Errorf("decoded %+v", c)
	}
	g := c.groupConfig()
	if len(g.Topics) != 2 || g.MaxBatchRecords != 1000 || g.FetchWait != 50*time.Millisecond || g.FetchMinBytes != 64<<10 {
		t.Errorf("group config %+v", g)
	}
}

func TestConfigBad(t *testing.T) {
	c := loadConfig(t, "testdata/bad.yml")
	c.SetDefaults()
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate: no error")
	}
	for _, want := range []string{
		"ingest.brokers: required",
		"ingest.topics[1].name: required",
		`ingest.topics[2].name: "raw.a" already configured as topics[0]`,
		`ingest.topics[3].dlq: "raw.a" is consumed as topics[0]`,
		"ingest.batch_records: must not be negative",
		`ingest.topics[4].timezone: unknown time zone Mars/Olympus_Mons`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestDeadLetter(t *testing.T) {
	orig := kafka.Message{
		Topic: "raw.syslog", Partition: 3, Offset: 1234, Key: []byte("k"), Value: []byte("garbage"),
		Headers: []kafka.Header{{Key: "trace", Value: []byte("t1")}},
	}
	tests := []struct {
		name       string
		tc         TopicConfig
		err        error
		wantReason string
		wantSource string
		wantErr    string
	}{
		{"parse error", TopicConfig{Name: "raw.syslog", Source: "syslog", DLQ: "raw.syslog.dlq"},
			&parse.Error{Reason: parse.ReasonNoTimestamp, Err: errors.New("no time")}, "no_timestamp", "syslog", "no time"},
		{"auto source", TopicConfig{Name: "raw.syslog", DLQ: "d"},
			&parse.Error{Reason: parse.ReasonUnknownSource, Err: errors.New("cannot detect")}, "unknown_source", "auto", "cannot detect"},
		{"other error", TopicConfig{Name: "raw.syslog", DLQ: "d"}, errors.New("boom"), "invalid", "auto", "boom"},
		{"panic", TopicConfig{Name: "raw.syslog", DLQ: "d"}, parsePanic("index out of range"), "invalid", "auto", "parser panic: index out of range"},
		{"long error is cut", TopicConfig{Name: "raw.syslog", DLQ: "d"},
			&parse.Error{Reason: parse.ReasonInvalid, Err: errors.New(strings.Repeat("x", 5000))}, "invalid", "auto", strings.Repeat("x", 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := deadLetter(tt.tc, orig, tt.err)
			if m.Topic != tt.tc.DLQ || string(m.Key) != "k" || string(m.Value) != "garbage" {
				t.Fatalf("record %+v", m)
			}
			h := map[string]string{}
			for _, x := range m.Headers {
				h[x.Key] = string(x.Value)
			}
			want := map[string]string{
				HeaderReason: tt.wantReason, HeaderSourceTopic: "raw.syslog", HeaderSourcePartition: "3",
				HeaderSourceOffset: "1234", HeaderSource: tt.wantSource, "trace": "t1",
			}
			for k, v := range want {
				if h[k] != v {
					t.Errorf("header %s = %q, want %q", k, h[k], v)
				}
			}
			if !strings.Contains(h[HeaderError], tt.wantErr) || len(h[HeaderError]) > maxErrorText {
				t.Errorf("header %s = %.80q (len %d)", HeaderError, h[HeaderError], len(h[HeaderError]))
			}
			if m.Headers[0].Key != HeaderReason {
				t.Errorf("vigil headers must come first, got %s", m.Headers[0].Key)
			}
		})
	}
}

type captureSink struct{ events []event.Event }

func (s *captureSink) Process(_ context.Context, b Batch) error {
	s.events = append(s.events, b.Events...)
	return nil
}

func TestTenantResolution(t *testing.T) {
	syslogLine := []byte("<38>1 2026-03-01T10:00:00Z web1 sshd 42 - - Failed password for root from 203.0.113.9 port 5000 ssh2")
	cloudtrail := []byte(`{"eventVersion":"1.08","eventTime":"2026-03-01T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","eventID":"e1","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","userName":"bob","accountId":"111122223333"}}`)
	tests := []struct {
		name        string
		topicTenant string
		header      string // value of the tenant header, "" for none
		value       []byte
		source      string
		want        string
	}{
		{"topic tenant", "acme", "", syslogLine, "syslog", "acme"},
		{"header wins over topic", "acme", "globex", syslogLine, "syslog", "globex"},
		{"account id through its alias", "", "", cloudtrail, "aws.cloudtrail", "initech"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{
				Brokers:       []string{"127.0.0.1:1"},
				Topics:        []TopicConfig{{Name: "logs", Source: tc.source, Tenant: tc.topicTenant}},
				TenantHeader:  "tenant",
				TenantAliases: map[string]string{"111122223333": "initech"},
			}
			cfg.SetDefaults()
			sink := &captureSink{}
			in, err := New(cfg, parse.NewRegistry(), sink, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
			if err != nil {
				t.Fatal(err)
			}
			msg := kafka.Message{Topic: "logs", Value: tc.value, Time: time.Date(2026, 3, 1, 10, 0, 1, 0, time.UTC)}
			if tc.header != "" {
				msg.Headers = []kafka.Header{{Key: "tenant", Value: []byte(tc.header)}}
			}
			if err := in.HandleBatch(t.Context(), kafkagroup.Batch{Topic: "logs", Messages: []kafka.Message{msg}}); err != nil {
				t.Fatal(err)
			}
			if len(sink.events) != 1 || sink.events[0].Organization.ID != tc.want {
				t.Fatalf("tenant = %+v, want %s", sink.events, tc.want)
			}
		})
	}
}

// TestTopicTimezone checks that a topic's time zone reaches the parser:
// the same auth.log line is 08:00 UTC from a Berlin topic and 10:00 UTC
// from a UTC one.
func TestTopicTimezone(t *testing.T) {
	line := []byte("Jun  1 10:00:00 web1 sshd[42]: Failed password for root from 203.0.113.9 port 5000 ssh2")
	for _, tc := range []struct {
		zone string
		want time.Time
	}{
		{"Europe/Berlin", time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)},
		{"", time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)},
	} {
		t.Run("zone "+tc.zone, func(t *testing.T) {
			cfg := Config{Brokers: []string{"127.0.0.1:1"}, Topics: []TopicConfig{{Name: "logs", Source: "syslog", Timezone: tc.zone}}}
			sink := &captureSink{}
			in, err := New(cfg, parse.NewRegistry(), sink, slog.New(slog.DiscardHandler), nil)
			if err != nil {
				t.Fatal(err)
			}
			msg := kafka.Message{Topic: "logs", Value: line, Time: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
			if err := in.HandleBatch(t.Context(), kafkagroup.Batch{Topic: "logs", Messages: []kafka.Message{msg}}); err != nil {
				t.Fatal(err)
			}
			if len(sink.events) != 1 || !sink.events[0].Timestamp.Equal(tc.want) {
				t.Fatalf("events %+v, want one at %s", sink.events, tc.want)
			}
		})
	}
}
