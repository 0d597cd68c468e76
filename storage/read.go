package storage

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigil-soc/vigil/event"
)

// IncidentFilter selects incidents for ListIncidents. Zero fields do not
// filter.
type IncidentFilter struct {
	Tenant      string
	Statuses    []event.Status
	MinSeverity event.Severity
	// Since and Until select incidents active in the range: last_seen >=
	// Since and first_seen <= Until.
	Since, Until time.Time
	// Limit caps the result (default 100, at most 10000); newest
	// last_seen first.
	Limit int
}

func (s *Store) readCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.QueryTimeout)
}

func (s *Store) table(name string) string { return "`" + s.cfg.Database + "`.`" + name + "`" }

type incidentRow struct {
	Tenant       string    `ch:"tenant"`
	ID           string    `ch:"incident_id"`
	Title        string    `ch:"title"`
	Summary      string    `ch:"summary"`
	Severity     string    `ch:"severity"`
	Confidence   int32     `ch:"confidence"`
	RiskScore    int32     `ch:"risk_score"`
	Status       string    `ch:"status"`
	Rule         string    `ch:"rule"`
	Kind         string    `ch:"kind"`
	Key          string    `ch:"key"`
	FirstSeen    time.Time `ch:"first_seen"`
	LastSeen     time.Time `ch:"last_seen"`
	EntityKinds  []string  `ch:"entity_kinds"`
	EntityValues []string  `ch:"entity_values"`
	Tactics      []string  `ch:"tactics"`
	Techniques   []string  `ch:"techniques"`
	DetectionIDs []string  `ch:"detection_ids"`
	AlertIDs     []string  `ch:"alert_ids"`
	EventIDs     []string  `ch:"event_ids"`
	CreatedAt    time.Time `ch:"created_at"`
	UpdatedAt    time.Time `ch:"updated_at"`
	DeclaredAt   time.Time `ch:"declared_at"`
	ContainedAt  time.Time `ch:"contained_at"`
	ClosedAt     time.Time `ch:"closed_at"`
	NotifyBy     time.Time `ch:"notify_by"`
	Assignee     string    `ch:"assignee"`
	Version      uint64    `ch:"version"`
}

const incidentColumns = "tenant, incident_id, title, summary, severity, confidence, risk_score, status, rule, kind, key, " +
	"first_seen, last_seen, entity_kinds, entity_values, tactics, techniques, detection_ids, alert_ids, event_ids, " +
	"created_at, updated_at, declared_at, contained_at, closed_at, notify_by, assignee, version"

func (r *incidentRow) incident() event.Incident {
	sev, _ := event.ParseSeverity(r.Severity)
	return event.Incident{
		ID: r.ID, Tenant: r.Tenant, Title: r.Title, Summary: r.Summary, Severity: sev,
		Confidence: int(r.Confidence), RiskScore: int(r.RiskScore), Status: event.Status(r.Status),
		Rule: r.Rule, Kind: r.Kind, Key: r.Key, FirstSeen: fromDT(r.FirstSeen), LastSeen: fromDT(r.LastSeen),
		Entities: entities(r.EntityKinds, r.EntityValues), Tactics: nilIfEmpty(r.Tactics),
		Techniques: nilIfEmpty(r.Techniques), DetectionIDs: nilIfEmpty(r.DetectionIDs),
		AlertIDs: nilIfEmpty(r.AlertIDs), EventIDs: nilIfEmpty(r.EventIDs),
		CreatedAt: fromDT(r.CreatedAt), UpdatedAt: fromDT(r.UpdatedAt), DeclaredAt: fromDT(r.DeclaredAt),
		ContainedAt: fromDT(r.ContainedAt), ClosedAt: fromDT(r.ClosedAt), NotifyBy: fromDT(r.NotifyBy),
		Assignee: r.Assignee, Version: r.Version,
	}
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// Incident returns the latest version of an incident, or ErrNotFound.
func (s *Store) Incident(ctx context.Context, id string) (event.Incident, error) {
	incs, err := s.Incidents(ctx, []string{id})
	if err != nil {
		return event.Incident{}, fmt.Errorf("incident %s: %w", id, err)
	}
	inc, ok := incs[id]
	if !ok {
		return event.Incident{}, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	}
	return inc, nil
}

// Incidents returns the latest version of each incident in ids that
// exists, by id: one statement for a batch of incidents where Incident
// would take one each.
func (s *Store) Incidents(ctx context.Context, ids []string) (map[string]event.Incident, error) {
	out := make(map[string]event.Incident, len(ids))
	for chunk := range idChunks(ids) {
		incs, err := s.queryIncidents(ctx, "SELECT "+incidentColumns+" FROM "+s.table("incidents")+
			" FINAL WHERE incident_id IN ?", chunk)
		if err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		for _, inc := range incs {
			out[inc.ID] = inc
		}
	}
	return out, nil
}

// IncidentVersions returns every stored version of an incident, oldest
// first (from incident_versions, which merges do not thin out), or
// ErrNotFound.
func (s *Store) IncidentVersions(ctx context.Context, id string) ([]event.Incident, error) {
	incs, err := s.queryIncidents(ctx, "SELECT "+incidentColumns+" FROM "+s.table("incident_versions")+
		" FINAL WHERE incident_id = ? ORDER BY version", id)
	if err != nil {
		return nil, fmt.Errorf("versions of incident %s: %w", id, err)
	}
	if len(incs) == 0 {
		return nil, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	}
	return incs, nil
}

// ListIncidents returns the latest version of the incidents f selects,
// most recently active first.
func (s *Store) ListIncidents(ctx context.Context, f IncidentFilter) ([]event.Incident, error) {
	var where []string
	var args []any
	if f.Tenant != "" {
		where = append(where, "tenant = ?")
		args = append(args, f.Tenant)
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		where = append(where, "status IN ?")
		args = append(args, st)
	}
	if f.MinSeverity > event.SeverityUnknown {
		where = append(where, "toInt8(severity) >= ?")
		args = append(args, int8(f.MinSeverity))
	}
	if !f.Since.IsZero() {
		where = append(where, "last_seen >= "+msParam)
		args = append(args, f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		where = append(where, "first_seen <= "+msParam)
		args = append(args, f.Until.UnixMilli())
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 10000)
	// The filter runs on the merged (FINAL) rows: an older version that
	// matched must not be returned once a newer one does not.
	q := "SELECT " + incidentColumns + " FROM " + s.table("incidents") + " FINAL"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY last_seen DESC, incident_id LIMIT %d", limit)
	incs, err := s.queryIncidents(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return incs, nil
}

// declaredPage is how many incidents one query of DeclaredIncidents reads.
var declaredPage = 10000

// DeclaredIncidents returns the latest version of every incident in one of
// statuses whose customer-notification deadline is set, the soonest
// deadline first. It reads in pages, so that no number of open incidents
// hides one from the deadline check: a capped list, newest first, would
// leave out exactly the oldest, most overdue ones.
func (s *Store) DeclaredIncidents(ctx context.Context, statuses []event.Status) ([]event.Incident, error) {
	st := make([]string, len(statuses))
	for i, x := range statuses {
		st[i] = string(x)
	}
	base := "SELECT " + incidentColumns + " FROM " + s.table("incidents") + " FINAL" +
		" WHERE status IN ? AND notify_by > toDateTime64(0, 3, 'UTC')"
	order := fmt.Sprintf(" ORDER BY notify_by, tenant, incident_id LIMIT %d", declaredPage)
	var out []event.Incident
	for {
		q, args := base+order, []any{st}
		if n := len(out); n > 0 {
			last := out[n-1]
			q = base + " AND (notify_by, tenant, incident_id) > (" + msParam + ", ?, ?)" + order
			args = append(args, last.NotifyBy.UnixMilli(), last.Tenant, last.ID)
		}
		page, err := s.queryIncidents(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("list declared incidents: %w", err)
		}
		out = append(out, page...)
		if len(page) < declaredPage {
			return out, nil
		}
	}
}

// queryIncidents runs a query selecting incidentColumns and scans its rows.
func (s *Store) queryIncidents(ctx context.Context, q string, args ...any) ([]event.Incident, error) {
	ctx, cancel := s.readCtx(ctx)
	defer cancel()
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query incidents: %w", err)
	}
	defer rows.Close()
	var out []event.Incident
	for rows.Next() {
		var r incidentRow
		if err := rows.ScanStruct(&r); err != nil {
			return nil, fmt.Errorf("scan incident: %w", err)
		}
		out = append(out, r.incident())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query incidents: %w", err)
	}
	return out, nil
}

type alertRow struct {
	Tenant           string            `ch:"tenant"`
	ID               string            `ch:"alert_id"`
	DetectionID      string            `ch:"detection_id"`
	Title            string            `ch:"title"`
	Description      string            `ch:"description"`
	Severity         string            `ch:"severity"`
	Confidence       int32             `ch:"confidence"`
	RiskScore        int32             `ch:"risk_score"`
	Tactics          []string          `ch:"tactics"`
	Techniques       []string          `ch:"techniques"`
	EntityKinds      []string          `ch:"entity_kinds"`
	EntityValues     []string          `ch:"entity_values"`
	Fields           map[string]string `ch:"fields"`
	EventIDs         []string          `ch:"event_ids"`
	OriginTopics     []string          `ch:"origin_topics"`
	OriginPartitions []int32           `ch:"origin_partitions"`
	OriginOffsets    []int64           `ch:"origin_offsets"`
	OriginFiles      []string          `ch:"origin_files"`
	OriginLines      []int32           `ch:"origin_lines"`
	Dataset          string            `ch:"dataset"`
	Timestamp        time.Time         `ch:"timestamp"`
	LastSeen         time.Time         `ch:"last_seen"`
	Count            uint32            `ch:"count"`
	Signal           bool              `ch:"signal"`
	PolicyVersion    string            `ch:"policy_version"`
	DetectedAt       time.Time         `ch:"detected_at"`
}

const alertColumns = "tenant, alert_id, detection_id, title, description, severity, confidence, risk_score, " +
	"tactics, techniques, entity_kinds, entity_values, fields, event_ids, origin_topics, origin_partitions, " +
	"origin_offsets, origin_files, origin_lines, dataset, timestamp, last_seen, count, signal, policy_version, detected_at"

func (r *alertRow) alert() event.Alert {
	sev, _ := event.ParseSeverity(r.Severity)
	a := event.Alert{
		ID: r.ID, Tenant: r.Tenant, DetectionID: r.DetectionID, Title: r.Title, Description: r.Description,
		Severity: sev, Confidence: int(r.Confidence), RiskScore: int(r.RiskScore),
		Tactics: nilIfEmpty(r.Tactics), Techniques: nilIfEmpty(r.Techniques),
		Entities: entities(r.EntityKinds, r.EntityValues), EventIDs: r.EventIDs,
		Dataset: r.Dataset, Timestamp: fromDT(r.Timestamp), LastSeen: fromDT(r.LastSeen), Count: int(r.Count),
		Signal: r.Signal, PolicyVersion: r.PolicyVersion, DetectedAt: fromDT(r.DetectedAt),
	}
	if len(r.Fields) > 0 {
		a.Fields = r.Fields
	}
	for i := range r.OriginTopics {
		o := event.Origin{Topic: r.OriginTopics[i]}
		if i < len(r.OriginPartitions) {
			o.Partition = int(r.OriginPartitions[i])
		}
		if i < len(r.OriginOffsets) {
			o.Offset = r.OriginOffsets[i]
		}
		if i < len(r.OriginFiles) {
			o.File = r.OriginFiles[i]
		}
		if i < len(r.OriginLines) {
			o.Line = int(r.OriginLines[i])
		}
		a.Origins = append(a.Origins, o)
	}
	return a
}

// alertsByID runs queryAlerts over ids a statement-sized chunk at a time.
func (s *Store) alertsByID(ctx context.Context, where string, ids []string) ([]event.Alert, error) {
	return readByID(ids, func(chunk []string) ([]event.Alert, error) { return s.queryAlerts(ctx, where, chunk) },
		func(a, b event.Alert) int {
			return cmp.Or(a.Timestamp.Compare(b.Timestamp), strings.Compare(a.ID, b.ID))
		})
}

func (s *Store) queryAlerts(ctx context.Context, where string, args ...any) ([]event.Alert, error) {
	ctx, cancel := s.readCtx(ctx)
	defer cancel()
	rows, err := s.query(ctx, "SELECT "+alertColumns+" FROM "+s.table("alerts")+" FINAL WHERE "+where+
		" ORDER BY timestamp, alert_id", args...)
	if err != nil {
		return nil, fmt.Errorf("query alerts: %w", err)
	}
	defer rows.Close()
	var out []event.Alert
	for rows.Next() {
		var r alertRow
		if err := rows.ScanStruct(&r); err != nil {
			return nil, fmt.Errorf("scan alert: %w", err)
		}
		out = append(out, r.alert())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query alerts: %w", err)
	}
	return out, nil
}

// Alerts returns the current row of each alert id that exists, in
// timestamp order.
func (s *Store) Alerts(ctx context.Context, ids []string) ([]event.Alert, error) {
	return s.alertsByID(ctx, "alert_id IN ?", ids)
}

// VisibleAlerts is Alerts without the signals: the alerts people (and the
// auto-confirmation policy) look at. An incident built from signals can
// cite thousands of them.
func (s *Store) VisibleAlerts(ctx context.Context, ids []string) ([]event.Alert, error) {
	return s.alertsByID(ctx, "alert_id IN ? AND NOT signal", ids)
}

// AlertCounts returns the current count of each alert in ids that is
// stored and not a signal. The count is the alert row's version (the
// table keeps the row with the highest), so a reader holding an alert
// with the same count holds its current row. Three narrow columns are
// read, not the alert: on a large table a lookup by id costs ClickHouse
// per column and id.
func (s *Store) AlertCounts(ctx context.Context, ids []string) (map[string]int, error) {
	out := make(map[string]int, len(ids))
	for chunk := range idChunks(ids) {
		if err := s.alertCounts(ctx, chunk, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) alertCounts(ctx context.Context, ids []string, out map[string]int) error {
	ctx, cancel := s.readCtx(ctx)
	defer cancel()
	rows, err := s.query(ctx, "SELECT alert_id, max(count) FROM "+s.table("alerts")+
		" WHERE alert_id IN ? AND NOT signal GROUP BY alert_id", ids)
	if err != nil {
		return fmt.Errorf("query alert counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n uint32
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("scan alert count: %w", err)
		}
		out[id] = int(n)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query alert counts: %w", err)
	}
	return nil
}

// RecentAlerts returns the alerts last seen at or after since, for every
// tenant (for example to warm correlation state).
func (s *Store) RecentAlerts(ctx context.Context, since time.Time) ([]event.Alert, error) {
	return s.queryAlerts(ctx, "last_seen >= "+msParam, since.UnixMilli())
}

// Events returns the stored events with the given ids, in timestamp order.
// Each is decoded from the stored ECS document, with event.original (when
// kept) and the origin restored.
func (s *Store) Events(ctx context.Context, ids []string) ([]event.Event, error) {
	return readByID(ids, func(chunk []string) ([]event.Event, error) { return s.eventsByID(ctx, chunk) },
		func(a, b event.Event) int {
			return cmp.Or(a.Timestamp.Compare(b.Timestamp), strings.Compare(a.Event.ID, b.Event.ID))
		})
}

func (s *Store) eventsByID(ctx context.Context, ids []string) ([]event.Event, error) {
	ctx, cancel := s.readCtx(ctx)
	defer cancel()
	// Duplicates not merged yet are identical: any one will do, no FINAL.
	rows, err := s.query(ctx, "SELECT doc, original, origin_topic, origin_partition, origin_offset, origin_file, origin_line"+
		" FROM "+s.table("events")+" WHERE event_id IN ? ORDER BY timestamp, event_id LIMIT 1 BY tenant, event_id", ids)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	defer rows.Close()
	var out []event.Event
	for rows.Next() {
		var (
			doc, original, topic, file string
			partition, line            int32
			offset                     int64
		)
		if err := rows.Scan(&doc, &original, &topic, &partition, &offset, &file, &line); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		var e event.Event
		if err := json.Unmarshal([]byte(doc), &e); err != nil {
			return nil, fmt.Errorf("decode stored event: %w", err)
		}
		e.Event.Original = original
		e.Origin = event.Origin{Topic: topic, Partition: int(partition), Offset: offset, File: file, Line: int(line)}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	return out, nil
}

// readByID reads ids a statement-sized chunk at a time and returns the
// rows in the order of compare, which each chunk's rows are already in.
func readByID[T any](ids []string, read func(chunk []string) ([]T, error), compare func(a, b T) int) ([]T, error) {
	var out []T
	chunks := 0
	for chunk := range idChunks(ids) {
		rows, err := read(chunk)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		chunks++
	}
	if chunks > 1 {
		slices.SortFunc(out, compare)
	}
	return out, nil
}

// idChunkBytes bounds the ids one lookup statement carries. The driver
// inlines them into the SQL text, which ClickHouse parses only up to
// max_query_size (256 KiB by default); half of it leaves room for the rest
// of the statement and for quoting.
const idChunkBytes = 128 << 10

// idChunks yields ids, without duplicates, in chunks that each fit in a
// statement. Nothing is yielded for no ids.
func idChunks(ids []string) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		seen := make(map[string]struct{}, len(ids))
		var chunk []string
		size := 0
		for _, id := range ids {
			if _, dup := seen[id]; dup {
				continue
			}
			seen[id] = struct{}{}
			// Quotes, a comma and a space around each id; escapes are rare.
			n := len(id) + 4
			if len(chunk) > 0 && size+n > idChunkBytes {
				if !yield(chunk) {
					return
				}
				chunk, size = nil, 0
			}
			chunk = append(chunk, id)
			size += n
		}
		if len(chunk) > 0 {
			yield(chunk)
		}
	}
}

type timelineRow struct {
	Tenant     string    `ch:"tenant"`
	IncidentID string    `ch:"incident_id"`
	ID         string    `ch:"entry_id"`
	At         time.Time `ch:"at"`
	Actor      string    `ch:"actor"`
	Action     string    `ch:"action"`
	FromStatus string    `ch:"from_status"`
	ToStatus   string    `ch:"to_status"`
	Detail     string    `ch:"detail"`
	Ref        string    `ch:"ref"`
}

// Timeline returns an incident's entries in time order.
func (s *Store) Timeline(ctx context.Context, incidentID string) ([]event.TimelineEntry, error) {
	ctx, cancel := s.readCtx(ctx)
	defer cancel()
	rows, err := s.query(ctx, "SELECT tenant, incident_id, entry_id, at, actor, action, from_status, to_status, detail, ref"+
		" FROM "+s.table("incident_timeline")+" FINAL WHERE incident_id = ? ORDER BY at, entry_id", incidentID)
	if err != nil {
		return nil, fmt.Errorf("query timeline of %s: %w", incidentID, err)
	}
	defer rows.Close()
	var out []event.TimelineEntry
	for rows.Next() {
		var r timelineRow
		if err := rows.ScanStruct(&r); err != nil {
			return nil, fmt.Errorf("scan timeline entry: %w", err)
		}
		out = append(out, event.TimelineEntry{
			ID: r.ID, IncidentID: r.IncidentID, Tenant: r.Tenant, At: fromDT(r.At), Actor: r.Actor,
			Action: r.Action, FromStatus: event.Status(r.FromStatus), ToStatus: event.Status(r.ToStatus),
			Detail: r.Detail, Ref: r.Ref,
		})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query timeline of %s: %w", incidentID, err)
	}
	return out, nil
}

type deliveryRow struct {
	Tenant        string    `ch:"tenant"`
	Key           string    `ch:"delivery_key"`
	IncidentID    string    `ch:"incident_id"`
	Target        string    `ch:"target"`
	Kind          string    `ch:"kind"`
	Level         int32     `ch:"level"`
	Status        string    `ch:"status"`
	Attempts      int32     `ch:"attempts"`
	NextAttemptAt time.Time `ch:"next_attempt_at"`
	LastError     string    `ch:"last_error"`
	Payload       string    `ch:"payload"`
	CreatedAt     time.Time `ch:"created_at"`
	UpdatedAt     time.Time `ch:"updated_at"`
	Version       uint64    `ch:"version"`
}

// msParam is a time parameter passed as Unix milliseconds (time.UnixMilli):
// clickhouse-go binds a time.Time argument with whole seconds, so a
// comparison with a DateTime64(3) column would be off by up to a second
// (a delivery written at .311 would not be due at .900 of the same second).
const msParam = "fromUnixTimestamp64Milli(?, 'UTC')"

// PendingDeliveries returns outbox rows whose latest state is pending and
// due (next_attempt_at <= due), earliest first, at most limit (default 100).
func (s *Store) PendingDeliveries(ctx context.Context, due time.Time, limit int) ([]event.Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	ctx, cancel := s.readCtx(ctx)
	defer cancel()
	// FINAL first, then the filter: a delivered key whose older row was
	// pending must not come back.
	rows, err := s.query(ctx, "SELECT tenant, delivery_key, incident_id, target, kind, level, status, attempts,"+
		" next_attempt_at, last_error, payload, created_at, updated_at, version FROM "+s.table("deliveries")+
		" FINAL WHERE status = ? AND next_attempt_at <= "+msParam+" ORDER BY next_attempt_at, delivery_key LIMIT ?",
		event.DeliveryPending, due.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("query pending deliveries: %w", err)
	}
	defer rows.Close()
	var out []event.Delivery
	for rows.Next() {
		var r deliveryRow
		if err := rows.ScanStruct(&r); err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		out = append(out, event.Delivery{
			Key: r.Key, IncidentID: r.IncidentID, Tenant: r.Tenant, Target: r.Target, Kind: r.Kind,
			Level: int(r.Level), Status: r.Status, Attempts: int(r.Attempts), NextAttemptAt: fromDT(r.NextAttemptAt),
			LastError: r.LastError, Payload: r.Payload, CreatedAt: fromDT(r.CreatedAt), UpdatedAt: fromDT(r.UpdatedAt),
			Version: r.Version,
		})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query pending deliveries: %w", err)
	}
	return out, nil
}

// query runs a read, retrying a few times when the connection fails before
// the server answered (a pooled connection the server or the network
// closed): reads are idempotent, and one stale connection must not fail an
// escalation or an API request. Server exceptions are returned at once.
func (s *Store) query(ctx context.Context, q string, args ...any) (driver.Rows, error) {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var rows driver.Rows
		rows, err = s.conn.Query(ctx, q, args...)
		if err == nil {
			return rows, nil
		}
		var ex *clickhouse.Exception
		if errors.As(err, &ex) || ctx.Err() != nil {
			return nil, err
		}
		s.log.Debug("read failed on the connection; retrying", "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
		}
	}
	return nil, err
}
