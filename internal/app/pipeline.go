package app

import (
	"context"
	"fmt"

	"github.com/sourcegraph/conc/pool"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest"
)

// Detector evaluates detections over events.
type Detector interface {
	Detect(ctx context.Context, events []event.Event) ([]event.Alert, error)
}

// EvidenceWriter stores events and alerts durably.
type EvidenceWriter interface {
	WriteEvents(ctx context.Context, evs []event.Event) error
	WriteAlerts(ctx context.Context, alerts []event.Alert) error
}

// AlertPublisher hands alerts to correlation, durably.
type AlertPublisher interface {
	Publish(ctx context.Context, alerts []event.Alert) error
}

// Pipeline is the ingest sink: a batch of events is stored, evaluated, and
// its alerts stored and handed to correlation. Process returns nil only
// when all of that is durable, which is what lets ingest commit offsets.
type Pipeline struct {
	Detector  Detector
	Store     EvidenceWriter
	Publisher AlertPublisher
}

var _ ingest.Sink = (*Pipeline)(nil)

// Process implements ingest.Sink.
func (p *Pipeline) Process(ctx context.Context, b ingest.Batch) error {
	if len(b.Events) == 0 {
		return nil
	}
	g := pool.New().WithErrors().WithContext(ctx)
	g.Go(func(ctx context.Context) error {
		if err := p.Store.WriteEvents(ctx, b.Events); err != nil {
			return fmt.Errorf("store events: %w", err)
		}
		return nil
	})
	g.Go(func(ctx context.Context) error {
		alerts, err := p.Detector.Detect(ctx, b.Events)
		if err != nil {
			return fmt.Errorf("detect: %w", err)
		}
		// The batch's work is done; what is left is waiting for INSERTs
		// and the correlate topic, which must not keep the partition's
		// next batch from being evaluated. The batch still holds the
		// commit back until all of it is durable.
		if b.Release != nil {
			b.Release()
		}
		return p.HandleAlerts(ctx, alerts)
	})
	return g.Wait()
}

// HandleAlerts stores every alert and publishes it to correlation. Signals
// (building blocks of correlation thresholds: one per failed sign-in, MFA
// push, ...) are stored too, flagged signal, so that the incidents they
// drive list alerts that resolve; analysts' alert lists filter them out.
func (p *Pipeline) HandleAlerts(ctx context.Context, alerts []event.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	g := pool.New().WithErrors().WithContext(ctx)
	g.Go(func(ctx context.Context) error {
		if err := p.Store.WriteAlerts(ctx, alerts); err != nil {
			return fmt.Errorf("store alerts: %w", err)
		}
		return nil
	})
	g.Go(func(ctx context.Context) error {
		if err := p.Publisher.Publish(ctx, alerts); err != nil {
			return fmt.Errorf("publish alerts to correlation: %w", err)
		}
		return nil
	})
	return g.Wait()
}
