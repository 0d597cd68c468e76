package storage

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// queryFiles reads queries/*.sql.
func queryFiles(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("queries/*.sql")
	if err != nil || len(paths) < 12 {
		t.Fatalf("queries/*.sql: %d files, %v; want at least 12", len(paths), err)
	}
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = string(b)
	}
	return out
}

// TestQueriesInREADME checks that README.md embeds every query file as it
// is, so the documentation cannot drift from the tested queries.
func TestQueriesInREADME(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, q := range queryFiles(t) {
		if !strings.HasPrefix(q, "-- ") {
			t.Errorf("%s: no header comment", name)
		}
		if !strings.Contains(string(readme), "`queries/"+name+"`\n\n```sql\n"+q+"```\n") {
			t.Errorf("README.md does not embed queries/%s as it is", name)
		}
	}
	embedded := regexp.MustCompile("`queries/([^`]+\\.sql)`").FindAllStringSubmatch(string(readme), -1)
	files := queryFiles(t)
	for _, m := range embedded {
		if _, ok := files[m[1]]; !ok {
			t.Errorf("README.md names queries/%s, which does not exist", m[1])
		}
	}
}

// TestQueries runs every analyst query against seeded data and requires
// rows from each.
func TestQueries(t *testing.T) {
	s, _, _ := testStore(t)
	ctx := ctxT(t)
	now := time.Now().UTC().Truncate(time.Second)
	first := now.Add(-2 * time.Hour)

	var evs []event.Event
	var failIDs []string
	for k := range 7 {
		e := sampleEvent(k*5, first.Add(-30*time.Minute+time.Duration(k)*2*time.Minute)) // user alice
		e.Event.ID = "q-evt-" + string(rune('0'+k))
		e.Source.IP, e.Source.Geo.CountryISOCode = "198.51.100.7", "RU"
		e.Host.Name = "ws-007"
		if k < 6 {
			e.Event.Outcome = "failure"
			failIDs = append(failIDs, e.Event.ID)
		} else {
			e.Event.Outcome = "success"
		}
		evs = append(evs, e)
	}
	old := sampleEvent(5, now.Add(-10*24*time.Hour))
	old.Event.ID, old.Event.Outcome, old.Source.Geo.CountryISOCode = "q-evt-old", "success", "NL"
	evs = append(evs, old)
	evs = append(evs, sampleEvents(50, now.Add(-3*time.Hour))...)
	if err := s.WriteEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	alice := []event.Entity{{Kind: event.EntityUser, Value: "alice"}, {Kind: event.EntityIP, Value: "198.51.100.7"}}
	alerts := []event.Alert{
		{ID: "al-q1", Tenant: "acme", DetectionID: "brute_force", Title: "Brute force", Severity: event.SeverityMedium,
			RiskScore: 40, Techniques: []string{"T1110"}, Tactics: []string{"credential-access"}, Entities: alice,
			EventIDs: failIDs, Timestamp: evs[0].Timestamp, LastSeen: evs[5].Timestamp, Count: 6, DetectedAt: now},
		{ID: "al-q2", Tenant: "acme", DetectionID: "login_after_brute_force", Title: "Login after brute force",
			Severity: event.SeverityHigh, RiskScore: 80, Techniques: []string{"T1078"}, Tactics: []string{"initial-access"},
			Entities: alice, EventIDs: []string{"q-evt-6"}, Timestamp: evs[6].Timestamp, LastSeen: evs[6].Timestamp,
			Count: 1, DetectedAt: now},
	}
	if err := s.WriteAlerts(ctx, alerts); err != nil {
		t.Fatal(err)
	}
	inc := event.Incident{ID: "inc-q1", Tenant: "acme", Title: "Account takeover of alice", Severity: event.SeverityHigh,
		Status: event.StatusConfirmed, Rule: "ato", Kind: "sequence", Key: "user:alice", FirstSeen: first,
		LastSeen: first.Add(10 * time.Minute), Entities: alice, AlertIDs: []string{"al-q1", "al-q2"},
		CreatedAt: first, UpdatedAt: now, DeclaredAt: now.Add(-3 * time.Hour), NotifyBy: now.Add(-time.Hour), Version: 3}
	if err := s.WriteIncidents(ctx, []event.Incident{inc}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendTimeline(ctx, []event.TimelineEntry{
		{ID: "tl-q1", IncidentID: "inc-q1", Tenant: "acme", At: first, Actor: "vigil/correlate", Action: event.ActionCreated, ToStatus: event.StatusCandidate},
		{ID: "tl-q2", IncidentID: "inc-q1", Tenant: "acme", At: now.Add(-3 * time.Hour), Actor: "ann", Action: event.ActionTransition,
			FromStatus: event.StatusCandidate, ToStatus: event.StatusConfirmed},
	}); err != nil {
		t.Fatal(err)
	}

	const ts = "2006-01-02 15:04:05.000"
	values := map[string]string{
		"tenant": "acme", "user": "alice", "incident_id": "inc-q1", "ip": "198.51.100.7",
		"since": now.Add(-48 * time.Hour).Format(ts), "until": now.Add(time.Hour).Format(ts),
		"host": "ws-007", "event_id": "q-evt-0",
	}
	paramRE := regexp.MustCompile(`\{(\w+):`)
	for name, q := range queryFiles(t) {
		t.Run(name, func(t *testing.T) {
			params := Params{}
			for _, m := range paramRE.FindAllStringSubmatch(q, -1) {
				v, ok := values[m[1]]
				if !ok {
					t.Fatalf("no test value for parameter %s", m[1])
				}
				params[m[1]] = v
			}
			res, err := s.Query(ctx, q, params)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) == 0 {
				t.Fatalf("no rows")
			}
			t.Logf("%v\n%v", res.Columns, res.Rows[0])
		})
	}
}
