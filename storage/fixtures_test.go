package storage

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/testenv"
)

// testStore opens a migrated Store on a fresh database of the test server.
func testStore(t testing.TB, mutate ...func(*Config)) (*Store, *testenv.ClickHouseEnv, string) {
	t.Helper()
	env := testenv.ClickHouse(t)
	db := env.Database(t)
	cfg := Config{Addr: []string{env.Addr}, Database: db, Migrate: true, BatchWait: 50 * time.Millisecond, StoreOriginal: true}
	for _, m := range mutate {
		m(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Open(ctx, cfg, testLogger(t), nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s, env, db
}

func testEnv(t testing.TB) *testenv.ClickHouseEnv { t.Helper(); return testenv.ClickHouse(t) }

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("VIGIL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// sampleEvent is a realistic sign-in event with every typed field the
// schema has and a vendor namespace.
func sampleEvent(i int, at time.Time) event.Event {
	users := []string{"alice", "bob", "carol", "dave", "erin"}
	user := users[i%len(users)]
	outcome := "success"
	if i%4 == 0 {
		outcome = "failure"
	}
	return event.Event{
		Timestamp: at,
		Event: event.Meta{
			ID: fmt.Sprintf("evt-%08d", i), Kind: "event", Category: []string{"authentication"},
			Type: []string{"start"}, Action: "ConsoleLogin", Outcome: outcome, Dataset: "aws.cloudtrail",
			Module: "aws", Provider: "signin.amazonaws.com", Code: "4624", Severity: 3,
			Original: fmt.Sprintf(`{"eventVersion":"1.08","eventName":"ConsoleLogin","n":%d}`, i),
			Created:  at.Add(time.Second), Ingested: at.Add(2 * time.Second),
		},
		Organization: event.Organization{ID: "acme", Name: "Acme Corp"},
		User: event.User{Name: user, Domain: "ACME", ID: "u-" + user, Email: user + "@acme.example",
			Roles: []string{"admin"}, Target: &event.TargetUser{Name: "svc-backup", Domain: "ACME"}},
		Source: event.Endpoint{IP: fmt.Sprintf("203.0.113.%d", i%250+1), Port: 40000 + i%1000,
			Geo: event.Geo{CountryISOCode: "NL", CityName: "Amsterdam", Location: &event.GeoPoint{Lat: 52.37, Lon: 4.89}}},
		Destination: event.Endpoint{IP: "2001:db8::10", Port: 443, Domain: "signin.aws.amazon.com", Bytes: 5120},
		Host:        event.Host{Name: fmt.Sprintf("ws-%03d", i%40), ID: "h-1", IP: []string{"10.0.0.5"}, OS: event.OS{Family: "windows"}},
		Process: event.Process{PID: 4242, Name: "powershell.exe", Executable: `C:\Windows\System32\powershell.exe`,
			CommandLine: "powershell -enc SQBFAFgA", Parent: &event.Parent{Name: "explorer.exe", PID: 1}},
		File:      event.File{Path: `C:\Users\alice\evil.ps1`, Name: "evil.ps1", Extension: "ps1"},
		Cloud:     event.Cloud{Provider: "aws", Region: "eu-west-1", Account: event.CloudAccount{ID: "123456789012"}, Service: event.CloudService{Name: "signin"}},
		Network:   event.Network{Transport: "tcp", Protocol: "https", Direction: "inbound", Bytes: 6000},
		DNS:       event.DNS{Question: event.DNSQuestion{Name: "login.example.com", Type: "A", RegisteredDomain: "example.com"}},
		URL:       event.URL{Full: "https://signin.aws.amazon.com/console", Domain: "signin.aws.amazon.com", Path: "/console"},
		HTTP:      event.HTTP{Method: "POST", StatusCode: 200},
		UserAgent: event.UserAgent{Original: "Mozilla/5.0"},
		Related:   event.Related{User: []string{user, "svc-backup"}, IP: []string{fmt.Sprintf("203.0.113.%d", i%250+1), "2001:db8::10"}, Hosts: []string{fmt.Sprintf("ws-%03d", i%40)}},
		Message:   "console login " + outcome,
		Tags:      []string{"cloudtrail"},
		Vendor: map[string]any{"aws": map[string]any{"cloudtrail": map[string]any{
			"eventSource": "signin.amazonaws.com", "mfaUsed": false, "requestId": fmt.Sprintf("req-%d", i),
			"resources": []any{"arn:aws:iam::123456789012:user/" + user},
		}}},
		Origin: event.Origin{Topic: "cloudtrail", Partition: i % 3, Offset: int64(i)},
	}
}

func sampleEvents(n int, start time.Time) []event.Event {
	evs := make([]event.Event, n)
	for i := range evs {
		evs[i] = sampleEvent(i, start.Add(time.Duration(i)*time.Second))
	}
	return evs
}
