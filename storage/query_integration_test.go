package storage

import (
	"strings"
	"testing"
	"time"
)

func TestQueryReadOnly(t *testing.T) {
	s, _, _ := testStore(t)
	ctx := ctxT(t)
	if err := s.WriteEvents(ctx, sampleEvents(3, time.Now().Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(ctx, "SELECT user_name, count() AS n FROM events GROUP BY user_name ORDER BY user_name")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Columns, ",") != "user_name,n" || len(res.Rows) != 3 || res.Rows[0][0] != "alice" {
		t.Errorf("result = %+v", res)
	}
	for _, q := range []string{
		"INSERT INTO events (tenant) VALUES ('x')",
		"DROP TABLE events",
		"ALTER TABLE events DELETE WHERE 1",
		"SELECT 1 SETTINGS readonly = 0",
	} {
		if _, err := s.Query(ctx, q); err == nil {
			t.Errorf("Query(%q) succeeded; want refused", q)
		}
	}
}

func TestHTTPProtocol(t *testing.T) {
	env := testEnv(t)
	s, _, _ := testStore(t, func(c *Config) { c.Protocol = "http"; c.Addr = []string{env.HTTPAddr} })
	ctx := ctxT(t)
	evs := sampleEvents(10, time.Now().Add(-time.Hour))
	if err := s.WriteEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(ctx, []string{evs[0].Event.ID})
	if err != nil || len(got) != 1 {
		t.Fatalf("Events = %d, %v", len(got), err)
	}
	if n := count(t, s, "SELECT count() FROM `"+s.cfg.Database+"`.events"); n != 10 {
		t.Errorf("rows = %d, want 10 (token deduplication over HTTP)", n)
	}
	res, err := s.Query(ctx, "SELECT count() FROM events")
	if err != nil || res.Rows[0][0] != "10" {
		t.Errorf("Query over HTTP = %v, %v", res, err)
	}
	if _, err := s.Query(ctx, "DROP TABLE events"); err == nil {
		t.Error("DROP over HTTP succeeded")
	}
}
