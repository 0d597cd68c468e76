package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/bench/harness"
)

type alertRow struct {
	id, detection string
	entities      []string
	at            time.Time
}

type alertSet struct {
	ids         map[string]bool
	rows        []alertRow
	byDetection map[string]map[string]bool
}

// loadAlerts reads every alert once (FINAL: the current row of each id),
// signals left out: they are correlation's building blocks, one per event,
// and their ids derive from their event's, which for a source without an
// id of its own (auth.log) includes the run's topic name.
func loadAlerts(ctx context.Context, conn driver.Conn) (*alertSet, error) {
	rows, err := conn.Query(ctx, "SELECT alert_id, detection_id, entity_values, timestamp FROM alerts FINAL WHERE NOT signal")
	if err != nil {
		return nil, fmt.Errorf("read alerts: %w", err)
	}
	defer rows.Close()
	s := &alertSet{ids: map[string]bool{}, byDetection: map[string]map[string]bool{}}
	for rows.Next() {
		var r alertRow
		if err := rows.Scan(&r.id, &r.detection, &r.entities, &r.at); err != nil {
			return nil, fmt.Errorf("read alerts: %w", err)
		}
		s.ids[r.id] = true
		s.rows = append(s.rows, r)
		if s.byDetection[r.detection] == nil {
			s.byDetection[r.detection] = map[string]bool{}
		}
		s.byDetection[r.detection][r.id] = true
	}
	return s, rows.Err()
}

// countRestartedAlerts counts the alert ids whose emissions carry more
// than one first-seen time (every emission row, not FINAL).
func countRestartedAlerts(ctx context.Context, conn driver.Conn) (int, error) {
	var n uint64
	err := conn.QueryRow(ctx, "SELECT count() FROM (SELECT alert_id FROM alerts GROUP BY alert_id HAVING uniqExact(timestamp) > 1)").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count restarted alerts: %w", err)
	}
	return int(n), nil
}

type incidentRow struct {
	id          string
	entities    []string
	alerts      []string
	first, last time.Time
}

// repeatsAlert reports whether the incident lists an alert more than once.
func (r incidentRow) repeatsAlert() bool {
	seen := make(map[string]bool, len(r.alerts))
	for _, a := range r.alerts {
		if seen[a] {
			return true
		}
		seen[a] = true
	}
	return false
}

func loadIncidents(ctx context.Context, conn driver.Conn) ([]incidentRow, error) {
	rows, err := conn.Query(ctx, "SELECT incident_id, entity_values, alert_ids, first_seen, last_seen FROM incidents FINAL")
	if err != nil {
		return nil, fmt.Errorf("read incidents: %w", err)
	}
	defer rows.Close()
	var out []incidentRow
	for rows.Next() {
		var r incidentRow
		if err := rows.Scan(&r.id, &r.entities, &r.alerts, &r.first, &r.last); err != nil {
			return nil, fmt.Errorf("read incidents: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// checkScenarios looks, for every scenario instance the generator
// completed, for an alert and for MinIncidents incidents that name one of
// the instance's entities within its event-time span (entities are fresh
// per instance). enforced is false for sets that leave library detections
// out: they are expected to miss some.
func checkScenarios(exp []gen.Expectation, alerts *alertSet, incidents []incidentRow, enforced bool) *harness.Scenarios {
	s := &harness.Scenarios{Expected: len(exp), Enforced: enforced}
	for _, e := range exp {
		vals := make([]string, 0, len(e.Entities))
		for _, en := range e.Entities {
			vals = append(vals, en.Value)
		}
		from, to := e.Start.Add(-time.Minute), e.End.Add(time.Hour)
		alertFound := false
		for _, a := range alerts.rows {
			if !a.at.Before(from) && !a.at.After(to) && overlaps(a.entities, vals) {
				alertFound = true
				break
			}
		}
		n := 0
		for _, in := range incidents {
			if !in.last.Before(from) && !in.first.After(to) && overlaps(in.entities, vals) {
				n++
			}
		}
		if alertFound {
			s.AlertsFound++
		}
		if n >= max(e.MinIncidents, 1) {
			s.IncidentsFound++
		}
		switch {
		case !alertFound:
			s.Missing = append(s.Missing, e.Scenario+fmt.Sprintf("#%d: no alert", e.Instance))
		case n < e.MinIncidents:
			s.Missing = append(s.Missing, e.Scenario+fmt.Sprintf("#%d: %d of %d incidents", e.Instance, n, e.MinIncidents))
		}
	}
	return s
}

func overlaps(have, want []string) bool {
	for _, w := range want {
		if w != "" && slices.Contains(have, w) {
			return true
		}
	}
	return false
}
