package escalate

import (
	"context"
	"errors"
	"testing"

	"github.com/vigil-soc/vigil/escalate/escalatetest"
	"github.com/vigil-soc/vigil/event"
)

func TestTransitions(t *testing.T) {
	// The allowed moves, written out independently of the table.
	allowed := map[[2]event.Status]bool{
		{event.StatusCandidate, event.StatusTriage}:     true,
		{event.StatusCandidate, event.StatusConfirmed}:  true,
		{event.StatusCandidate, event.StatusDismissed}:  true,
		{event.StatusTriage, event.StatusConfirmed}:     true,
		{event.StatusTriage, event.StatusDismissed}:     true,
		{event.StatusConfirmed, event.StatusContained}:  true,
		{event.StatusConfirmed, event.StatusDismissed}:  true,
		{event.StatusContained, event.StatusEradicated}: true,
		{event.StatusContained, event.StatusTriage}:     true,
		{event.StatusEradicated, event.StatusRecovered}: true,
		{event.StatusEradicated, event.StatusTriage}:    true,
		{event.StatusRecovered, event.StatusClosed}:     true,
		{event.StatusRecovered, event.StatusTriage}:     true,
	}
	cfg := testConfig(t, baseConfig)
	for _, from := range Statuses {
		for _, to := range Statuses {
			name := string(from) + "→" + string(to)
			want := allowed[[2]event.Status{from, to}]
			t.Run(name, func(t *testing.T) {
				if got := CanTransition(from, to); got != want {
					t.Fatalf("CanTransition = %v, want %v", got, want)
				}
				st := escalatetest.New()
				clk := newClock(t0)
				mg := newTestManager(t, cfg, st, clk)
				inc := candidate("inc-1", event.SeverityLow, 10)
				inc.Status, inc.Version, inc.CreatedAt = from, 3, t0
				if declared(from) || from == event.StatusClosed {
					inc.DeclaredAt, inc.NotifyBy = t0, t0.Add(72*3600e9)
				}
				if err := st.WriteIncidents(context.Background(), []event.Incident{inc}); err != nil {
					t.Fatal(err)
				}
				clk.Add(3600e9)
				got, err := mg.Transition(context.Background(), "inc-1", to, "alice", "because")
				stored, _ := st.Incident(context.Background(), "inc-1")
				if !want {
					var te *TransitionError
					if !errors.As(err, &te) || te.From != from || te.To != to {
						t.Fatalf("err = %v, want *TransitionError{%s, %s}", err, from, to)
					}
					if stored.Version != 3 {
						t.Fatalf("refused transition wrote version %d", stored.Version)
					}
					return
				}
				if err != nil {
					t.Fatalf("Transition: %v", err)
				}
				if got.Status != to || stored.Status != to || stored.Version != 4 {
					t.Fatalf("stored status %s version %d, want %s 4", stored.Status, stored.Version, to)
				}
				tl, _ := st.Timeline(context.Background(), "inc-1")
				var found bool
				for _, e := range tl {
					if e.Action == event.ActionTransition && e.FromStatus == from && e.ToStatus == to && e.Actor == "alice" && e.Detail == "because" && e.At.Equal(clk.Now()) {
						found = true
					}
				}
				if !found {
					t.Fatalf("no timeline entry for the transition: %+v", tl)
				}
				switch to {
				case event.StatusConfirmed:
					if stored.DeclaredAt.IsZero() || stored.NotifyBy.IsZero() {
						t.Fatalf("confirmed without DeclaredAt/NotifyBy: %+v", stored)
					}
				case event.StatusContained:
					if stored.ContainedAt.IsZero() {
						t.Fatal("contained without ContainedAt")
					}
				case event.StatusClosed:
					if stored.ClosedAt.IsZero() {
						t.Fatal("closed without ClosedAt")
					}
				}
			})
		}
	}
}

func TestTransitionInput(t *testing.T) {
	cfg := testConfig(t, baseConfig)
	st := escalatetest.New()
	mg := newTestManager(t, cfg, st, newClock(t0))
	ctx := context.Background()
	if err := st.WriteIncidents(ctx, []event.Incident{candidate("inc-1", event.SeverityLow, 10)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		id     string
		to     event.Status
		reason string
		want   error
	}{
		{"dismiss without reason", "inc-1", event.StatusDismissed, " ", ErrReasonRequired},
		{"unknown status", "inc-1", "pwned", "x", ErrUnknownStatus},
		{"unknown incident", "nope", event.StatusTriage, "x", ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := mg.Transition(ctx, tc.id, tc.to, "alice", tc.reason); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := mg.Transition(ctx, "inc-1", event.StatusDismissed, "alice", "benign admin activity"); err != nil {
		t.Fatalf("dismiss with reason: %v", err)
	}
}
