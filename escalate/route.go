package escalate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// Delivery kinds.
const (
	KindEscalation     = "escalation"      // the incident was declared
	KindChain          = "chain"           // a level failed; the next level gets it
	KindReminder       = "reminder"        // a notification-deadline mark passed
	KindDeadlineMissed = "deadline_missed" // the deadline passed without customer notification
	KindManual         = "manual"          // an analyst escalated by hand
)

// match returns the first route for an incident.
func (c *Config) match(inc event.Incident) (*Route, bool) {
	for i := range c.Routes {
		r := &c.Routes[i]
		if r.minSeverity != event.SeverityUnknown && inc.Severity < r.minSeverity {
			continue
		}
		if len(r.Tenants) > 0 && !slices.Contains(r.Tenants, inc.Tenant) {
			continue
		}
		if len(r.Rules) > 0 && !slices.Contains(r.Rules, inc.Rule) {
			continue
		}
		if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, inc.Kind) {
			continue
		}
		return r, true
	}
	return nil, false
}

func (c *Config) target(name string) (TargetConfig, bool) {
	for _, t := range c.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return TargetConfig{}, false
}

// levelOf returns the chain level for an incident, clamping to the route.
func (c *Config) levelOf(inc event.Incident, level int) (Level, int, bool) {
	r, ok := c.match(inc)
	if !ok || level < 0 || level >= len(r.Chain) {
		return Level{}, 0, false
	}
	return r.Chain[level], len(r.Chain), true
}

// DeliveryKey is the idempotency key of a delivery: incident, target, kind
// and (for reminders) mark. It is stable across retries and restarts.
func DeliveryKey(incidentID, target, kind, mark string) string {
	return event.StableID("dlv-", incidentID, target, kind, mark)
}

// Message is the target-neutral content of a delivery.
type Message struct {
	IdempotencyKey string          `json:"idempotency_key"`
	Kind           string          `json:"kind"`
	Level          int             `json:"level"`
	Reason         string          `json:"reason,omitempty"`
	Mark           string          `json:"mark,omitempty"`
	Incident       MessageIncident `json:"incident"`
}

// MessageIncident is the part of the incident a delivery carries.
type MessageIncident struct {
	ID         string         `json:"id"`
	Tenant     string         `json:"tenant"`
	Title      string         `json:"title"`
	Summary    string         `json:"summary,omitempty"`
	Severity   event.Severity `json:"severity"`
	Confidence int            `json:"confidence"`
	Status     event.Status   `json:"status"`
	Rule       string         `json:"rule"`
	Kind       string         `json:"kind"`
	Entities   []event.Entity `json:"entities,omitempty"`
	Techniques []string       `json:"techniques,omitempty"`
	Tactics    []string       `json:"tactics,omitempty"`
	FirstSeen  time.Time      `json:"first_seen"`
	LastSeen   time.Time      `json:"last_seen"`
	DeclaredAt time.Time      `json:"declared_at,omitzero"`
	NotifyBy   time.Time      `json:"notify_by,omitzero"`
	// Version is the incident version the delivery was decided on: a
	// receiver can tell a newer state from a retry.
	Version uint64 `json:"version"`
}

// newDeliveries builds one pending delivery per target of a chain level.
func (c *Config) newDeliveries(inc event.Incident, kind string, level int, mark, reason string, now time.Time) ([]event.Delivery, error) {
	lv, _, ok := c.levelOf(inc, level)
	if !ok {
		return nil, nil
	}
	return c.deliveriesTo(inc, lv.Targets, kind, level, mark, reason, now)
}

func (c *Config) deliveriesTo(inc event.Incident, targets []string, kind string, level int, mark, reason string, now time.Time) ([]event.Delivery, error) {
	var out []event.Delivery
	for _, tn := range targets {
		t, ok := c.target(tn)
		if !ok {
			continue
		}
		key := DeliveryKey(inc.ID, tn, kind, mark)
		msg := Message{
			IdempotencyKey: key, Kind: kind, Level: level, Reason: reason, Mark: mark,
			Incident: MessageIncident{
				ID: inc.ID, Tenant: inc.Tenant, Title: inc.Title, Summary: inc.Summary,
				Severity: inc.Severity, Confidence: inc.Confidence, Status: inc.Status,
				Rule: inc.Rule, Kind: inc.Kind, Entities: inc.Entities, Techniques: inc.Techniques,
				Tactics: inc.Tactics, FirstSeen: inc.FirstSeen, LastSeen: inc.LastSeen,
				DeclaredAt: inc.DeclaredAt, NotifyBy: inc.NotifyBy, Version: inc.Version,
			},
		}
		body, err := renderBody(t.Type, msg)
		if err != nil {
			return nil, fmt.Errorf("render %s body for %s: %w", t.Type, tn, err)
		}
		out = append(out, event.Delivery{
			Key: key, IncidentID: inc.ID, Tenant: inc.Tenant, Target: tn, Kind: kind, Level: level,
			Status: event.DeliveryPending, NextAttemptAt: now, Payload: string(body),
			CreatedAt: now, UpdatedAt: now, Version: 1,
		})
	}
	return out, nil
}

// renderBody fixes the body a target type is sent. Secrets (PagerDuty
// routing keys, HMAC secrets) are added only when sending, never stored.
func renderBody(typ string, m Message) ([]byte, error) {
	switch typ {
	case TargetPagerDuty:
		return json.Marshal(pagerDutyEvent{
			EventAction: "trigger",
			DedupKey:    m.IdempotencyKey,
			Payload: pagerDutyPayload{
				Summary:       truncate(headline(m), 1024),
				Source:        "vigil/" + m.Incident.Tenant,
				Severity:      pagerDutySeverity(m.Incident.Severity),
				Timestamp:     m.Incident.FirstSeen.UTC().Format(time.RFC3339),
				Component:     m.Incident.Rule,
				Group:         m.Incident.Tenant,
				Class:         m.Kind,
				CustomDetails: m,
			},
		})
	case TargetSlack:
		text := headline(m)
		detail := fmt.Sprintf("*%s*\n%s\nIncident `%s` · tenant `%s` · severity *%s* · status %s",
			escapeSlack(text), escapeSlack(m.Incident.Summary), m.Incident.ID, m.Incident.Tenant,
			m.Incident.Severity, m.Incident.Status)
		if !m.Incident.NotifyBy.IsZero() {
			detail += "\nCustomer notification due " + m.Incident.NotifyBy.UTC().Format(time.RFC3339)
		}
		return json.Marshal(map[string]any{
			"text": text,
			"blocks": []any{
				map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": detail}},
				map[string]any{"type": "context", "elements": []any{
					map[string]any{"type": "mrkdwn", "text": "idempotency key " + m.IdempotencyKey},
				}},
			},
		})
	default: // webhook, kafka
		return json.Marshal(m)
	}
}

func headline(m Message) string {
	var prefix string
	switch m.Kind {
	case KindReminder:
		prefix = "[reminder " + m.Mark + "] customer notification pending: "
	case KindDeadlineMissed:
		prefix = "[DEADLINE MISSED] customer notification overdue: "
	case KindChain:
		prefix = fmt.Sprintf("[escalated to level %d] ", m.Level)
	case KindManual:
		prefix = "[manual escalation] "
	}
	return fmt.Sprintf("%s%s incident: %s (%s)", prefix, m.Incident.Severity, m.Incident.Title, m.Incident.Tenant)
}

func pagerDutySeverity(s event.Severity) string {
	switch s {
	case event.SeverityCritical:
		return "critical"
	case event.SeverityHigh:
		return "error"
	case event.SeverityMedium:
		return "warning"
	default:
		return "info"
	}
}

func escapeSlack(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

type pagerDutyEvent struct {
	RoutingKey  string           `json:"routing_key,omitempty"`
	EventAction string           `json:"event_action"`
	DedupKey    string           `json:"dedup_key"`
	Payload     pagerDutyPayload `json:"payload"`
}

type pagerDutyPayload struct {
	Summary       string  `json:"summary"`
	Source        string  `json:"source"`
	Severity      string  `json:"severity"`
	Timestamp     string  `json:"timestamp,omitempty"`
	Component     string  `json:"component,omitempty"`
	Group         string  `json:"group,omitempty"`
	Class         string  `json:"class,omitempty"`
	CustomDetails Message `json:"custom_details"`
}
