package escalate

import (
	"context"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// Store is the part of storage escalate uses. storage.Store implements it;
// writes are idempotent by id/key and the row with the highest Version is
// the current one.
type Store interface {
	WriteIncidents(ctx context.Context, incs []event.Incident) error
	AppendTimeline(ctx context.Context, entries []event.TimelineEntry) error
	WriteDeliveries(ctx context.Context, ds []event.Delivery) error
	PendingDeliveries(ctx context.Context, due time.Time, limit int) ([]event.Delivery, error)
	Incident(ctx context.Context, id string) (event.Incident, error)
	// Incidents returns the current version of each of ids that exists.
	Incidents(ctx context.Context, ids []string) (map[string]event.Incident, error)
	Alerts(ctx context.Context, ids []string) ([]event.Alert, error)
	// VisibleAlerts is Alerts without the signals.
	VisibleAlerts(ctx context.Context, ids []string) ([]event.Alert, error)
	// AlertCounts returns the count of each of ids that is stored and not
	// a signal: the version of its row (the highest count is current).
	AlertCounts(ctx context.Context, ids []string) (map[string]int, error)
	Events(ctx context.Context, ids []string) ([]event.Event, error)
	Timeline(ctx context.Context, incidentID string) ([]event.TimelineEntry, error)
	// IncidentVersions returns every stored version of an incident, oldest
	// first.
	IncidentVersions(ctx context.Context, id string) ([]event.Incident, error)
}

// DeclaredLister returns every incident whose notification clock may be
// running (statuses confirmed, contained, eradicated, recovered), however
// many: one left out would miss its deadline silently. Wiring adapts
// storage.DeclaredIncidents to it.
type DeclaredLister func(ctx context.Context) ([]event.Incident, error)

// IncidentSink receives candidate incidents from correlation.
type IncidentSink interface {
	Observe(ctx context.Context, incs []event.Incident) error
}

var _ IncidentSink = (*Manager)(nil)
