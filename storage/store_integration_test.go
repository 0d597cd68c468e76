package storage

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func jsonEq(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s round trip differs:\n got  %s\n want %s", what, g, w)
	}
}

// Events written and read back are the same with every block compression
// the client offers.
func TestRoundTripEvents(t *testing.T) {
	for _, compression := range []string{"lz4", "zstd", "none"} {
		t.Run(compression, func(t *testing.T) {
			s, _, _ := testStore(t, func(c *Config) { c.Compression = compression })
			ctx := ctxT(t)
			// Recent: older events would fall to the 90-day TTL.
			at := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Hour).Add(123456789)
			evs := sampleEvents(3, at)
			evs[2].Event.ID = "" // storage derives a content id
			if err := s.WriteEvents(ctx, evs); err != nil {
				t.Fatal(err)
			}
			got, err := s.Events(ctx, []string{evs[0].Event.ID, evs[1].Event.ID, "missing"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("got %d events, want 2", len(got))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i].Origin, evs[i].Origin) {
					t.Errorf("origin %+v, want %+v", got[i].Origin, evs[i].Origin)
				}
				if got[i].Event.Original != evs[i].Event.Original {
					t.Errorf("original %q, want %q", got[i].Event.Original, evs[i].Event.Original)
				}
				jsonEq(t, "event", got[i], evs[i])
			}
			// Typed columns hold what analysts filter on.
			res, err := s.Query(ctx, "SELECT tenant, timestamp, user_name, source_ip, destination_ip, fields['aws.cloudtrail.eventSource'], related_ips, severity FROM events WHERE event_id = ?", evs[1].Event.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"acme", at.Add(time.Second).Format("2006-01-02T15:04:05.000Z"), "bob", "203.0.113.2", "2001:db8::10", "signin.amazonaws.com", `["203.0.113.2","2001:db8::10"]`, "3"}
			if len(res.Rows) != 1 || !reflect.DeepEqual(res.Rows[0], want) {
				t.Errorf("typed columns = %q, want %q", res.Rows, want)
			}
			res, err = s.Query(ctx, "SELECT count() FROM events WHERE source_ip = toIPv6('203.0.113.2') AND has(related_users, 'svc-backup')")
			if err != nil || res.Rows[0][0] != "1" {
				t.Errorf("IPv4 filter on the IPv6 column: %v %v", res, err)
			}
		})
	}
}

// With vendor_fields "doc" the vendor namespaces are only in doc: events
// still read back whole, fields is empty, and an analyst reads a vendor
// field with JSONExtract on doc.
func TestVendorFieldsInDoc(t *testing.T) {
	s, _, _ := testStore(t, func(c *Config) { c.VendorFields = VendorFieldsDoc })
	ctx := ctxT(t)
	at := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Hour)
	evs := sampleEvents(3, at)
	if err := s.WriteEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(ctx, []string{evs[0].Event.ID, evs[1].Event.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d events, want 2", len(got))
	}
	for i := range got {
		jsonEq(t, "event", got[i], evs[i])
	}
	res, err := s.Query(ctx, "SELECT length(fields), JSONExtractString(doc, 'aws', 'cloudtrail', 'eventSource') FROM events WHERE event_id = ?", evs[1].Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0", "signin.amazonaws.com"}
	if len(res.Rows) != 1 || !reflect.DeepEqual(res.Rows[0], want) {
		t.Errorf("fields length and vendor field from doc = %q, want %q", res.Rows, want)
	}
}

func TestRoundTripAlertsIncidentsTimelineDeliveries(t *testing.T) {
	s, _, _ := testStore(t)
	ctx := ctxT(t)
	at := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	alert := event.Alert{
		ID: "al-1", Tenant: "acme", DetectionID: "aws_console_login_no_mfa", Title: "Console login without MFA",
		Description: "d", Severity: event.SeverityHigh, Confidence: 80, RiskScore: 70,
		Tactics: []string{"initial-access"}, Techniques: []string{"T1078"},
		Entities: []event.Entity{{Kind: event.EntityUser, Value: "alice"}, {Kind: event.EntityIP, Value: "203.0.113.1"}},
		Fields:   map[string]string{"mfa": "false"}, EventIDs: []string{"evt-1", "evt-2"},
		Origins: []event.Origin{{Topic: "cloudtrail", Partition: 1, Offset: 10}, {File: "x.json", Line: 3}},
		Dataset: "aws.cloudtrail", Timestamp: at, LastSeen: at.Add(time.Minute), Count: 1, PolicyVersion: "p1",
		DetectedAt: at.Add(2 * time.Minute),
	}
	refolded := alert
	refolded.Count, refolded.LastSeen = 5, at.Add(10*time.Minute)
	if err := s.WriteAlerts(ctx, []event.Alert{alert}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteAlerts(ctx, []event.Alert{refolded}); err != nil {
		t.Fatal(err)
	}
	alerts, err := s.Alerts(ctx, []string{"al-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 {
		t.Fatalf("got %d alerts, want 1", len(alerts))
	}
	jsonEq(t, "alert", alerts[0], refolded)
	recent, err := s.RecentAlerts(ctx, at.Add(5*time.Minute))
	if err != nil || len(recent) != 1 {
		t.Errorf("RecentAlerts = %d alerts, %v; want 1", len(recent), err)
	}
	// Signals are stored too (through their own batcher), and left out by
	// VisibleAlerts.
	signal := alert
	signal.ID, signal.Signal, signal.DetectionID = "al-sig", true, "entra-signin-failed"
	if err := s.WriteAlerts(ctx, []event.Alert{signal, refolded}); err != nil {
		t.Fatal(err)
	}
	both, err := s.Alerts(ctx, []string{"al-1", "al-sig"})
	if err != nil || len(both) != 2 {
		t.Fatalf("Alerts with a signal = %d alerts, %v; want 2", len(both), err)
	}
	visible, err := s.VisibleAlerts(ctx, []string{"al-1", "al-sig"})
	if err != nil || len(visible) != 1 || visible[0].ID != "al-1" {
		t.Fatalf("VisibleAlerts = %+v, %v; want al-1 only", visible, err)
	}

	inc := event.Incident{
		ID: "inc-1", Tenant: "acme", Title: "Account takeover", Summary: "s", Severity: event.SeverityHigh,
		Confidence: 70, RiskScore: 150, Status: event.StatusCandidate, Rule: "ato", Kind: "sequence", Key: "user:alice",
		FirstSeen: at, LastSeen: at.Add(time.Hour), Entities: alert.Entities, Tactics: alert.Tactics,
		Techniques: alert.Techniques, DetectionIDs: []string{alert.DetectionID}, AlertIDs: []string{"al-1"},
		EventIDs: []string{"evt-1"}, CreatedAt: at, UpdatedAt: at, Version: 1,
	}
	v2 := inc
	v2.Status, v2.Version, v2.DeclaredAt, v2.NotifyBy, v2.Assignee = event.StatusConfirmed, 2, at.Add(time.Hour), at.Add(73*time.Hour), "ann"
	// Newer version first: the version, not the arrival order, decides.
	if err := s.WriteIncidents(ctx, []event.Incident{v2}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteIncidents(ctx, []event.Incident{inc}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Incident(ctx, "inc-1")
	if err != nil {
		t.Fatal(err)
	}
	jsonEq(t, "incident", got, v2)
	// incidents keeps the newest version once merged; incident_versions
	// keeps both, the retried version once.
	if err := s.WriteIncidents(ctx, []event.Incident{v2}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"incidents", "incident_versions"} {
		if err := s.conn.Exec(ctx, "OPTIMIZE TABLE "+s.table(table)+" FINAL"); err != nil {
			t.Fatal(err)
		}
	}
	var versions []uint64
	if err := s.conn.QueryRow(ctx, "SELECT groupArray(version) FROM (SELECT version FROM "+s.table("incident_versions")+
		" WHERE incident_id = 'inc-1' ORDER BY version)").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(versions, []uint64{1, 2}) {
		t.Errorf("incident_versions of inc-1: %v, want [1 2]", versions)
	}
	hist, err := s.IncidentVersions(ctx, "inc-1")
	if err != nil {
		t.Fatal(err)
	}
	jsonEq(t, "incident versions", hist, []event.Incident{inc, v2})
	if _, err := s.IncidentVersions(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("IncidentVersions(nope) = %v, want ErrNotFound", err)
	}
	var kept uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+s.table("incidents")+" WHERE incident_id = 'inc-1'").Scan(&kept); err != nil || kept != 1 {
		t.Errorf("incidents keeps %d rows of inc-1 after a merge (%v), want 1", kept, err)
	}
	if _, err := s.Incident(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Incident(nope) = %v, want ErrNotFound", err)
	}
	for _, tc := range []struct {
		name string
		f    IncidentFilter
		want int
	}{
		{"all", IncidentFilter{}, 1},
		{"tenant", IncidentFilter{Tenant: "acme"}, 1},
		{"other tenant", IncidentFilter{Tenant: "globex"}, 0},
		{"current status", IncidentFilter{Statuses: []event.Status{event.StatusConfirmed}}, 1},
		{"older status only", IncidentFilter{Statuses: []event.Status{event.StatusCandidate}}, 0},
		{"min severity met", IncidentFilter{MinSeverity: event.SeverityHigh}, 1},
		{"min severity not met", IncidentFilter{MinSeverity: event.SeverityCritical}, 0},
		{"in range", IncidentFilter{Since: at.Add(30 * time.Minute), Until: at.Add(2 * time.Hour)}, 1},
		{"after range", IncidentFilter{Since: at.Add(2 * time.Hour)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := s.ListIncidents(ctx, tc.f)
			if err != nil || len(l) != tc.want {
				t.Errorf("ListIncidents = %d, %v; want %d", len(l), err, tc.want)
			}
		})
	}

	entries := []event.TimelineEntry{
		{ID: "tl-1", IncidentID: "inc-1", Tenant: "acme", At: at, Actor: "vigil/correlate", Action: event.ActionCreated, ToStatus: event.StatusCandidate},
		{ID: "tl-2", IncidentID: "inc-1", Tenant: "acme", At: at.Add(time.Hour), Actor: "ann", Action: event.ActionTransition,
			FromStatus: event.StatusCandidate, ToStatus: event.StatusConfirmed, Detail: "confirmed", Ref: "al-1"},
	}
	if err := s.AppendTimeline(ctx, entries); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendTimeline(ctx, entries[1:]); err != nil { // retried entry
		t.Fatal(err)
	}
	tl, err := s.Timeline(ctx, "inc-1")
	if err != nil {
		t.Fatal(err)
	}
	jsonEq(t, "timeline", tl, entries)

	d := event.Delivery{Key: "inc-1/pagerduty/escalation", IncidentID: "inc-1", Tenant: "acme", Target: "pagerduty",
		Kind: "escalation", Level: 1, Status: event.DeliveryPending, NextAttemptAt: at, Payload: `{"a":1}`,
		CreatedAt: at, UpdatedAt: at, Version: 1}
	d2 := d
	d2.Key = "inc-1/slack/escalation"
	d2.NextAttemptAt = at.Add(time.Hour)
	if err := s.WriteDeliveries(ctx, []event.Delivery{d, d2}); err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingDeliveries(ctx, at.Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	jsonEq(t, "pending deliveries", pending, []event.Delivery{d})
	done := d
	done.Status, done.Attempts, done.Version, done.UpdatedAt = event.DeliveryDelivered, 1, 2, at.Add(time.Minute)
	if err := s.WriteDeliveries(ctx, []event.Delivery{done}); err != nil {
		t.Fatal(err)
	}
	pending, err = s.PendingDeliveries(ctx, at.Add(2*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	jsonEq(t, "pending deliveries after delivery", pending, []event.Delivery{d2})
}

// TestTimeFiltersToTheMillisecond checks the reads that filter on a time
// argument at the columns' precision: a delivery written at .311 is due at
// .411 of the same second, an alert last seen at .311 is recent since .311
// and not since .312.
func TestTimeFiltersToTheMillisecond(t *testing.T) {
	s, _, _ := testStore(t)
	ctx := ctxT(t)
	at := time.Date(2026, 5, 6, 7, 8, 9, 311e6, time.UTC)
	d := event.Delivery{Key: "inc-ms/hook/escalation", IncidentID: "inc-ms", Tenant: "acme", Target: "hook",
		Kind: "escalation", Status: event.DeliveryPending, NextAttemptAt: at, CreatedAt: at, UpdatedAt: at, Version: 1}
	if err := s.WriteDeliveries(ctx, []event.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	a := event.Alert{ID: "al-ms", Tenant: "acme", DetectionID: "x", Severity: event.SeverityLow, Timestamp: at, LastSeen: at, Count: 1, DetectedAt: at}
	if err := s.WriteAlerts(ctx, []event.Alert{a}); err != nil {
		t.Fatal(err)
	}
	inc := event.Incident{ID: "inc-ms", Tenant: "acme", Status: event.StatusCandidate, FirstSeen: at, LastSeen: at, CreatedAt: at, UpdatedAt: at, Version: 1}
	if err := s.WriteIncidents(ctx, []event.Incident{inc}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		read func() (int, error)
		want int
	}{
		{"delivery due 100ms later", func() (int, error) {
			p, err := s.PendingDeliveries(ctx, at.Add(100*time.Millisecond), 10)
			return len(p), err
		}, 1},
		{"delivery not due 1ms before", func() (int, error) {
			p, err := s.PendingDeliveries(ctx, at.Add(-time.Millisecond), 10)
			return len(p), err
		}, 0},
		{"alert recent since its last_seen", func() (int, error) { l, err := s.RecentAlerts(ctx, at); return len(l), err }, 1},
		{"alert not recent since 1ms later", func() (int, error) {
			l, err := s.RecentAlerts(ctx, at.Add(time.Millisecond))
			return len(l), err
		}, 0},
		{"incident until its first_seen", func() (int, error) {
			l, err := s.ListIncidents(ctx, IncidentFilter{Until: at})
			return len(l), err
		}, 1},
		{"incident not until 1ms before", func() (int, error) {
			l, err := s.ListIncidents(ctx, IncidentFilter{Until: at.Add(-time.Millisecond)})
			return len(l), err
		}, 0},
		{"incident since 1ms later", func() (int, error) {
			l, err := s.ListIncidents(ctx, IncidentFilter{Since: at.Add(time.Millisecond)})
			return len(l), err
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n, err := tc.read(); err != nil || n != tc.want {
				t.Errorf("got %d, %v; want %d", n, err, tc.want)
			}
		})
	}
}

// The deadline check reads every declared incident, in pages, soonest
// deadline first; incidents not declared, closed since, or without a
// deadline are left out.
func TestDeclaredIncidentsReadsEveryPage(t *testing.T) {
	s, _, _ := testStore(t)
	ctx := ctxT(t)
	defer func(n int) { declaredPage = n }(declaredPage)
	declaredPage = 2
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	inc := func(id, tenant string, status event.Status, notifyIn time.Duration, version uint64) event.Incident {
		i := event.Incident{ID: id, Tenant: tenant, Status: status, FirstSeen: at, LastSeen: at, CreatedAt: at, UpdatedAt: at, Version: version}
		if notifyIn > 0 {
			i.DeclaredAt, i.NotifyBy = at, at.Add(notifyIn)
		}
		return i
	}
	incs := []event.Incident{
		inc("inc-e", "acme", event.StatusRecovered, 90*time.Hour, 1),
		inc("inc-b", "globex", event.StatusConfirmed, 72*time.Hour, 1),
		inc("inc-a", "acme", event.StatusConfirmed, 72*time.Hour, 1), // same deadline as inc-b: tenant orders them
		inc("inc-c", "acme", event.StatusContained, 80*time.Hour, 1),
		inc("inc-0", "acme", event.StatusConfirmed, time.Hour, 1),
		inc("inc-d", "globex", event.StatusEradicated, 85*time.Hour, 1),
		inc("inc-cand", "acme", event.StatusCandidate, 0, 1),
		inc("inc-closed", "acme", event.StatusConfirmed, 2*time.Hour, 1),
		inc("inc-closed", "acme", event.StatusClosed, 2*time.Hour, 2),
	}
	if err := s.WriteIncidents(ctx, incs); err != nil {
		t.Fatal(err)
	}
	got, err := s.DeclaredIncidents(ctx, []event.Status{event.StatusConfirmed, event.StatusContained, event.StatusEradicated, event.StatusRecovered})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, i := range got {
		ids = append(ids, i.ID)
	}
	want := []string{"inc-0", "inc-a", "inc-b", "inc-c", "inc-d", "inc-e"}
	if !slices.Equal(ids, want) {
		t.Errorf("DeclaredIncidents in pages of %d = %v, want %v", declaredPage, ids, want)
	}
}

// Chunks larger than a block, and chunks that straddle blocks, are cut into
// blocks of flushRows without losing, repeating or mixing up a row: every
// event is stored once, with its own row's values.
func TestLargeChunksAreCutIntoBlocks(t *testing.T) {
	s, _, _ := testStore(t, func(c *Config) { c.BatchWait = time.Second })
	ctx := ctxT(t)
	evs, _ := benchEvents(2*flushRows + 700)
	var wg sync.WaitGroup
	// One chunk of 2.7 blocks and one of 0.7 block, most likely in one
	// INSERT: the second starts inside a block.
	for _, part := range [][]event.Event{evs[:2*flushRows+300], evs[2*flushRows+300:]} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.WriteEvents(ctx, part); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var rows, ids, mismatched uint64
	if err := s.conn.QueryRow(ctx, "SELECT count(), uniqExact(event_id), countIf(JSONExtractString(doc, 'event', 'id') != event_id) FROM "+s.table("events")).
		Scan(&rows, &ids, &mismatched); err != nil {
		t.Fatal(err)
	}
	if rows != uint64(len(evs)) || ids != uint64(len(evs)) || mismatched != 0 {
		t.Errorf("stored %d rows, %d ids, %d rows whose doc is another event's; want %d, %d, 0", rows, ids, mismatched, len(evs), len(evs))
	}
}
