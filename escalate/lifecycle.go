package escalate

import (
	"errors"
	"fmt"

	"github.com/vigil-soc/vigil/event"
)

// transitions is the NIST SP 800-61 lifecycle as a table: for each status,
// the statuses an incident may move to. Closed and dismissed are final.
var transitions = map[event.Status][]event.Status{
	event.StatusCandidate:  {event.StatusTriage, event.StatusConfirmed, event.StatusDismissed},
	event.StatusTriage:     {event.StatusConfirmed, event.StatusDismissed},
	event.StatusConfirmed:  {event.StatusContained, event.StatusDismissed},
	event.StatusContained:  {event.StatusEradicated, event.StatusTriage},
	event.StatusEradicated: {event.StatusRecovered, event.StatusTriage},
	event.StatusRecovered:  {event.StatusClosed, event.StatusTriage},
	event.StatusClosed:     nil,
	event.StatusDismissed:  nil,
}

// Statuses lists every lifecycle status in order.
var Statuses = []event.Status{
	event.StatusCandidate, event.StatusTriage, event.StatusConfirmed, event.StatusContained,
	event.StatusEradicated, event.StatusRecovered, event.StatusClosed, event.StatusDismissed,
}

// ValidStatus reports whether s is a lifecycle status.
func ValidStatus(s event.Status) bool {
	_, ok := transitions[s]
	return ok
}

// CanTransition reports whether the table allows from → to.
func CanTransition(from, to event.Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// reopens reports whether new activity on an incident in status s sends it
// back to triage.
func reopens(s event.Status) bool {
	return s == event.StatusContained || s == event.StatusEradicated || s == event.StatusRecovered
}

// declared reports whether s is a status at or after confirmation (the
// notification clock runs) and before the end.
func declared(s event.Status) bool {
	switch s {
	case event.StatusConfirmed, event.StatusContained, event.StatusEradicated, event.StatusRecovered:
		return true
	}
	return false
}

// TransitionError is returned for a move the lifecycle does not allow.
type TransitionError struct {
	From, To event.Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("transition %s → %s not allowed", e.From, e.To)
}

// Errors callers branch on.
var (
	// ErrNotFound: no incident with that id (storage's own not-found error
	// is recognised through Options.IsNotFound and reported as this).
	ErrNotFound = errors.New("incident not found")
	// ErrReasonRequired: dismissing needs a reason.
	ErrReasonRequired = errors.New("reason required")
	// ErrUnknownStatus: the target status is not a lifecycle status.
	ErrUnknownStatus = errors.New("unknown status")
	// ErrNotDeclared: the operation needs a confirmed incident.
	ErrNotDeclared = errors.New("incident not declared")
)
