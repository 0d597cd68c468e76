// Package escalatetest provides an in-memory store with storage's
// semantics (idempotent by id/key, highest Version wins) for unit tests of
// escalate and api. Integration tests use the real ClickHouse store.
package escalatetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// ErrNotFound is what Incident returns for an unknown id.
var ErrNotFound = errors.New("not found")

// Store keeps everything in maps. Hooks let tests inject failures.
type Store struct {
	mu         sync.Mutex
	incidents  map[string]event.Incident
	versions   map[string]map[uint64]event.Incident // id → version → row, as incident_versions
	timeline   map[string]event.TimelineEntry
	deliveries map[string]event.Delivery
	alerts     map[string]event.Alert
	events     map[string]event.Event

	// BeforeWriteIncidents, when set, runs before an incident write and
	// can fail it (a crash between outbox and status, for example).
	BeforeWriteIncidents func([]event.Incident) error
	// DeliveryWrites counts WriteDeliveries calls.
	DeliveryWrites int
	alertReads     int
	alertIDsRead   []string
	incidentReads  int
	timelineReads  int
}

// New returns an empty store.
func New() *Store {
	return &Store{
		incidents: map[string]event.Incident{}, versions: map[string]map[uint64]event.Incident{},
		timeline:   map[string]event.TimelineEntry{},
		deliveries: map[string]event.Delivery{}, alerts: map[string]event.Alert{}, events: map[string]event.Event{},
	}
}

// AddAlerts and AddEvents seed evidence.
func (s *Store) AddAlerts(as ...event.Alert) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range as {
		s.alerts[a.ID] = a
	}
}

// AddEvents seeds evidence events.
func (s *Store) AddEvents(es ...event.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range es {
		s.events[e.Event.ID] = e
	}
}

// WriteIncidents keeps, per id, the row with the highest version (the
// later write on a tie, as ReplacingMergeTree may).
func (s *Store) WriteIncidents(_ context.Context, incs []event.Incident) error {
	if s.BeforeWriteIncidents != nil {
		if err := s.BeforeWriteIncidents(incs); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, inc := range incs {
		if s.versions[inc.ID] == nil {
			s.versions[inc.ID] = map[uint64]event.Incident{}
		}
		s.versions[inc.ID][inc.Version] = inc
		if old, ok := s.incidents[inc.ID]; ok && old.Version > inc.Version {
			continue
		}
		s.incidents[inc.ID] = inc
	}
	return nil
}

// IncidentVersions returns every stored version of the incident, oldest
// first, or ErrNotFound.
func (s *Store) IncidentVersions(_ context.Context, id string) ([]event.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.versions[id]
	if len(vs) == 0 {
		return nil, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	}
	out := make([]event.Incident, 0, len(vs))
	for _, v := range vs {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b event.Incident) int { return cmp.Compare(a.Version, b.Version) })
	return out, nil
}

// AppendTimeline stores entries once by id.
func (s *Store) AppendTimeline(_ context.Context, es []event.TimelineEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range es {
		if _, ok := s.timeline[e.ID]; !ok {
			s.timeline[e.ID] = e
		}
	}
	return nil
}

// WriteDeliveries keeps, per key, the row with the highest version.
func (s *Store) WriteDeliveries(_ context.Context, ds []event.Delivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.DeliveryWrites++
	for _, d := range ds {
		if old, ok := s.deliveries[d.Key]; ok && old.Version > d.Version {
			continue
		}
		s.deliveries[d.Key] = d
	}
	return nil
}

// PendingDeliveries returns pending deliveries due at or before due,
// oldest first.
func (s *Store) PendingDeliveries(_ context.Context, due time.Time, limit int) ([]event.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []event.Delivery
	for _, d := range s.deliveries {
		if d.Status == event.DeliveryPending && !d.NextAttemptAt.After(due) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].NextAttemptAt.Equal(out[j].NextAttemptAt) {
			return out[i].NextAttemptAt.Before(out[j].NextAttemptAt)
		}
		return out[i].Key < out[j].Key
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Incident returns the current row or ErrNotFound.
func (s *Store) Incident(_ context.Context, id string) (event.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inc, ok := s.incidents[id]
	if !ok {
		return event.Incident{}, ErrNotFound
	}
	return inc, nil
}

// Incidents returns the current row of each of ids that exists.
func (s *Store) Incidents(_ context.Context, ids []string) (map[string]event.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.incidentReads++
	out := make(map[string]event.Incident, len(ids))
	for _, id := range ids {
		if inc, ok := s.incidents[id]; ok {
			out[id] = inc
		}
	}
	return out, nil
}

// IncidentReads counts the calls of Incidents so far.
func (s *Store) IncidentReads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.incidentReads
}

// TimelineReads counts the calls of Timeline so far.
func (s *Store) TimelineReads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.timelineReads
}

// Filter selects incidents for ListIncidents.
type Filter struct {
	Tenant      string
	Statuses    []event.Status
	MinSeverity event.Severity
	Limit       int
}

// ListIncidents returns matching incidents, most recently updated first.
func (s *Store) ListIncidents(_ context.Context, f Filter) ([]event.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []event.Incident
	for _, inc := range s.incidents {
		if f.Tenant != "" && inc.Tenant != f.Tenant {
			continue
		}
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, inc.Status) {
			continue
		}
		if inc.Severity < f.MinSeverity {
			continue
		}
		out = append(out, inc)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.After(out[j].UpdatedAt)
		}
		return out[i].ID < out[j].ID
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// Declared lists incidents whose notification clock may run
// (escalate.DeclaredLister).
func (s *Store) Declared(ctx context.Context) ([]event.Incident, error) {
	return s.ListIncidents(ctx, Filter{Statuses: []event.Status{
		event.StatusConfirmed, event.StatusContained, event.StatusEradicated, event.StatusRecovered}})
}

// Alerts returns the known alerts among ids, in the order asked.
func (s *Store) Alerts(_ context.Context, ids []string) ([]event.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alertReads++
	s.alertIDsRead = append(s.alertIDsRead, ids...)
	var out []event.Alert
	for _, id := range ids {
		if a, ok := s.alerts[id]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// AlertReads counts the calls of Alerts and VisibleAlerts so far.
func (s *Store) AlertReads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.alertReads
}

// AlertIDsRead returns the ids Alerts and VisibleAlerts were asked for
// since the last call, sorted.
func (s *Store) AlertIDsRead() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.alertIDsRead
	s.alertIDsRead = nil
	slices.Sort(ids)
	return ids
}

// AlertCounts returns the count of each known alert among ids that is not
// a signal.
func (s *Store) AlertCounts(_ context.Context, ids []string) (map[string]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(ids))
	for _, id := range ids {
		if a, ok := s.alerts[id]; ok && !a.Signal {
			out[id] = a.Count
		}
	}
	return out, nil
}

// VisibleAlerts is Alerts without the signals.
func (s *Store) VisibleAlerts(ctx context.Context, ids []string) ([]event.Alert, error) {
	all, err := s.Alerts(ctx, ids)
	return slices.DeleteFunc(all, func(a event.Alert) bool { return a.Signal }), err
}

// Events returns the known events among ids, in the order asked.
func (s *Store) Events(_ context.Context, ids []string) ([]event.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []event.Event
	for _, id := range ids {
		if e, ok := s.events[id]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// Timeline returns an incident's entries in time order.
func (s *Store) Timeline(_ context.Context, id string) ([]event.TimelineEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timelineReads++
	var out []event.TimelineEntry
	for _, e := range s.timeline {
		if e.IncidentID == id {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Deliveries returns every delivery's current row, by key.
func (s *Store) Deliveries() []event.Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]event.Delivery, 0, len(s.deliveries))
	for _, d := range s.deliveries {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
