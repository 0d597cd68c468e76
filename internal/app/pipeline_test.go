package app

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest"
)

type oneAlertDetector struct{}

func (oneAlertDetector) Detect(_ context.Context, evs []event.Event) ([]event.Alert, error) {
	return []event.Alert{{ID: "a-" + evs[0].Event.ID}}, nil
}

// slowEvents blocks WriteEvents until events is closed; alertsErr fails
// WriteAlerts.
type slowEvents struct {
	events    chan struct{}
	alertsErr error
	alerts    atomic.Int32
}

func (s *slowEvents) WriteEvents(ctx context.Context, _ []event.Event) error {
	select {
	case <-s.events:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *slowEvents) WriteAlerts(_ context.Context, a []event.Alert) error {
	if s.alertsErr != nil {
		return s.alertsErr
	}
	s.alerts.Add(int32(len(a)))
	return nil
}

type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, []event.Alert) error { return nil }

func TestProcessReleasesOnceDetectionIsDone(t *testing.T) {
	evs := []event.Event{{Event: event.Meta{ID: "e1"}}}
	t.Run("released while the INSERTs are pending", func(t *testing.T) {
		store := &slowEvents{events: make(chan struct{})}
		p := &Pipeline{Detector: oneAlertDetector{}, Store: store, Publisher: nopPublisher{}}
		released := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- p.Process(t.Context(), ingest.Batch{Events: evs, Records: 1, Release: func() { close(released) }})
		}()
		select {
		case <-released:
		case <-time.After(10 * time.Second):
			t.Fatal("the batch was not released while only its INSERTs were pending")
		}
		select {
		case err := <-done:
			t.Fatalf("Process returned (%v) before the events were durable", err)
		default:
		}
		close(store.events)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if store.alerts.Load() != 1 {
			t.Fatal("Process returned before the alert was stored")
		}
	})
	t.Run("an alert failure still fails the batch", func(t *testing.T) {
		store := &slowEvents{events: make(chan struct{}), alertsErr: errors.New("clickhouse down")}
		close(store.events)
		p := &Pipeline{Detector: oneAlertDetector{}, Store: store, Publisher: nopPublisher{}}
		err := p.Process(t.Context(), ingest.Batch{Events: evs, Records: 1, Release: func() {}})
		if err == nil {
			t.Fatal("Process succeeded although the alerts were not stored")
		}
	})
	t.Run("not released when detection fails", func(t *testing.T) {
		store := &slowEvents{events: make(chan struct{})}
		close(store.events)
		p := &Pipeline{Detector: failingDetector{}, Store: store, Publisher: nopPublisher{}}
		var released atomic.Bool
		if err := p.Process(t.Context(), ingest.Batch{Events: evs, Records: 1, Release: func() { released.Store(true) }}); err == nil {
			t.Fatal("Process succeeded although detection failed")
		}
		if released.Load() {
			t.Fatal("released although detection failed")
		}
	})
}

type failingDetector struct{}

func (failingDetector) Detect(context.Context, []event.Event) ([]event.Alert, error) {
	return nil, errors.New("policy set not loaded")
}
