package event

import "time"

// Status is where an incident is in the NIST SP 800-61 lifecycle.
type Status string

// Incident statuses. Candidate is what correlation creates; Confirmed means
// the incident is declared and the notification clock runs.
const (
	StatusCandidate  Status = "candidate"
	StatusTriage     Status = "triage"
	StatusConfirmed  Status = "confirmed"
	StatusContained  Status = "contained"
	StatusEradicated Status = "eradicated"
	StatusRecovered  Status = "recovered"
	StatusClosed     Status = "closed"
	StatusDismissed  Status = "dismissed"
)

// Incident is a candidate or confirmed security incident: alerts that tell
// one story about a set of entities.
type Incident struct {
	ID           string    `json:"id"`
	Tenant       string    `json:"tenant"`
	Title        string    `json:"title"`
	Summary      string    `json:"summary"`
	Severity     Severity  `json:"severity"`
	Confidence   int       `json:"confidence"` // 0-100
	RiskScore    int       `json:"risk_score"`
	Status       Status    `json:"status"`
	Rule         string    `json:"rule"` // correlation rule id
	Kind         string    `json:"kind"` // threshold, sequence, entity, risk
	Key          string    `json:"key"`  // the correlation key the rule grouped by
	FirstSeen    time.Time `json:"first_seen"`
	LastSeen     time.Time `json:"last_seen"`
	Entities     []Entity  `json:"entities,omitempty"`
	Tactics      []string  `json:"tactics,omitempty"`
	Techniques   []string  `json:"techniques,omitempty"`
	DetectionIDs []string  `json:"detection_ids,omitempty"`
	AlertIDs     []string  `json:"alert_ids,omitempty"`
	EventIDs     []string  `json:"event_ids,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	DeclaredAt   time.Time `json:"declared_at,omitzero"` // when it was confirmed
	ContainedAt  time.Time `json:"contained_at,omitzero"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	NotifyBy     time.Time `json:"notify_by,omitzero"` // customer-notification deadline
	Assignee     string    `json:"assignee,omitempty"`
	// Version increases with every stored change; storage keeps the row
	// with the highest version.
	Version uint64 `json:"version"`
}

// TimelineEntry is one change to an incident: creation, a new alert, a
// status transition, a note, an escalation, a deadline reminder.
type TimelineEntry struct {
	ID         string    `json:"id"` // stable, so a retried write stores it once
	IncidentID string    `json:"incident_id"`
	Tenant     string    `json:"tenant"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"` // "vigil/correlate", "vigil/escalate", or a person
	Action     string    `json:"action"`
	FromStatus Status    `json:"from_status,omitempty"`
	ToStatus   Status    `json:"to_status,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	Ref        string    `json:"ref,omitempty"` // an alert id, target name, ...
}

// Timeline actions.
const (
	ActionCreated    = "created"
	ActionAlertAdded = "alert_added"
	ActionUpdated    = "updated"
	ActionTransition = "transition"
	ActionNote       = "note"
	ActionEscalated  = "escalated"
	ActionDelivered  = "delivered"
	ActionReminder   = "deadline_reminder"
	ActionDeadline   = "deadline_missed"
)

// Delivery is one item of the escalation outbox: a message owed to one
// target about one incident. Key is the idempotency key receivers see; the
// stored row with the highest Version is the current state.
type Delivery struct {
	Key           string    `json:"key"` // incident id + target + kind (+ mark): stable across retries and restarts
	IncidentID    string    `json:"incident_id"`
	Tenant        string    `json:"tenant"`
	Target        string    `json:"target"`
	Kind          string    `json:"kind"` // escalation, reminder, deadline_missed, chain
	Level         int       `json:"level"`
	Status        string    `json:"status"` // pending, delivered, failed
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastError     string    `json:"last_error,omitempty"`
	Payload       string    `json:"payload"` // the JSON body, fixed when the delivery is created
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       uint64    `json:"version"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)
