package escalate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/vigil-soc/vigil/event"
)

// DispatcherOptions are a Dispatcher's collaborators; zero values get
// defaults.
type DispatcherOptions struct {
	Now    func() time.Time    // default time.Now
	Rand   func() float64      // jitter source in [0,1); default math/rand/v2
	Getenv func(string) string // secrets; default os.Getenv (wiring passes it explicitly)
	// HTTPClient sends webhook, PagerDuty and Slack requests (per-target
	// timeouts apply on top).
	HTTPClient *http.Client
	// Senders replaces the sender built for a target name.
	Senders map[string]Sender
	Metrics *Metrics
	Logger  *slog.Logger
}

// Dispatcher drains the delivery outbox and watches notification
// deadlines. Run owns its goroutines; Close releases the targets.
type Dispatcher struct {
	cfg      Config
	store    Store
	declared DeclaredLister
	senders  map[string]Sender
	now      func() time.Time
	rand     func() float64
	m        *Metrics
	log      *slog.Logger
	// wake asks Run for a poll now: the outbox has new deliveries.
	wake chan struct{}
	// done is what the deadline check found done, per incident.
	done deadlineMemo
}

// NewDispatcher builds a Dispatcher and its senders.
func NewDispatcher(cfg Config, store Store, declared DeclaredLister, opts DispatcherOptions) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Dispatcher{cfg: cfg, store: store, declared: declared, now: opts.Now, rand: opts.Rand, m: opts.Metrics, log: opts.Logger,
		senders: map[string]Sender{}, wake: make(chan struct{}, 1)}
	if d.now == nil {
		d.now = time.Now
	}
	if d.rand == nil {
		d.rand = rand.Float64
	}
	if d.m == nil {
		d.m = NewMetrics(nil)
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	for _, t := range cfg.Targets {
		if s, ok := opts.Senders[t.Name]; ok {
			d.senders[t.Name] = s
			continue
		}
		s, err := newSender(t, client, getenv, d.now)
		if err != nil {
			d.Close()
			return nil, err
		}
		d.senders[t.Name] = s
	}
	return d, nil
}

// Close releases the targets (Kafka writers flush and close).
func (d *Dispatcher) Close() error {
	var errs []error
	for name, s := range d.senders {
		if c, ok := s.(io.Closer); ok {
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close target %s: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Wake makes Run poll the outbox now instead of at its next tick. The
// Manager calls it (Options.OutboxWritten) once deliveries are in the
// outbox, so a page goes out as soon as it is durable, not up to a
// PollInterval later. It never blocks: wakes that arrive during a poll
// fold into one more poll.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run polls the outbox and the deadlines every PollInterval, and when
// woken, until ctx is done. In-flight sends finish; what is not recorded
// stays pending and is sent again (same idempotency key) by the next
// process.
func (d *Dispatcher) Run(ctx context.Context) error {
	t := time.NewTicker(d.cfg.PollInterval)
	defer t.Stop()
	var checked time.Time
	for ticked := true; ; {
		now := d.now()
		// Deadlines are hours apart: they are checked on the ticker
		// only, so that a wake-up reads nothing but the outbox, and at
		// most once a minute, since listing the declared incidents reads
		// the whole incidents table.
		if ticked && deadlineCheckDue(checked, now) {
			checked = now
			if err := d.Tick(ctx, now); err != nil && ctx.Err() == nil {
				d.log.Error("check deadlines", "err", err)
			}
		}
		for {
			n, err := d.Dispatch(ctx, now)
			if err != nil && ctx.Err() == nil {
				d.log.Error("dispatch outbox", "err", err)
			}
			if err != nil || n < d.cfg.BatchSize {
				break
			}
			now = d.now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			ticked = true
		case <-d.wake:
			ticked = false
		}
	}
}

// deadlineCheckEvery is the least time between two deadline checks.
const deadlineCheckEvery = time.Minute

// deadlineCheckDue says whether deadlines are to be checked at now, the
// last check having been at last (zero: never).
func deadlineCheckDue(last, now time.Time) bool {
	return last.IsZero() || now.Sub(last) >= deadlineCheckEvery || now.Before(last)
}

// Dispatch sends the deliveries due at now once and records the outcome of
// each. It returns how many it tried.
func (d *Dispatcher) Dispatch(ctx context.Context, now time.Time) (int, error) {
	due, err := d.store.PendingDeliveries(ctx, now, d.cfg.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("read pending deliveries: %w", err)
	}
	if len(due) == 0 {
		return 0, nil
	}
	results := make([]error, len(due))
	p := pool.New().WithMaxGoroutines(d.cfg.Concurrency)
	for i, dl := range due {
		p.Go(func() {
			s, ok := d.senders[dl.Target]
			if !ok {
				results[i] = &PermanentError{fmt.Errorf("unknown target %q", dl.Target)}
				return
			}
			results[i] = s.Send(ctx, dl)
		})
	}
	p.Wait()

	var rows []event.Delivery
	var entries []event.TimelineEntry
	var errs []error
	at := d.now()
	for i, dl := range due {
		upd, next, es, err := d.outcome(ctx, dl, results[i], at)
		if err != nil {
			errs = append(errs, err)
		}
		rows = append(rows, upd)
		rows = append(rows, next...)
		entries = append(entries, es...)
	}
	// Next-level deliveries are written with the failed row, before the
	// timeline that mentions them.
	if err := d.store.WriteDeliveries(ctx, rows); err != nil {
		return len(due), fmt.Errorf("record deliveries: %w", err)
	}
	if err := d.store.AppendTimeline(ctx, entries); err != nil {
		return len(due), fmt.Errorf("append timeline: %w", err)
	}
	return len(due), errors.Join(errs...)
}

// outcome computes the new row of a delivery after an attempt, and any
// next-level deliveries.
func (d *Dispatcher) outcome(ctx context.Context, dl event.Delivery, sendErr error, now time.Time) (event.Delivery, []event.Delivery, []event.TimelineEntry, error) {
	upd := dl
	upd.Attempts++
	upd.Version++
	upd.UpdatedAt = now
	tl := func(action, ref, detail string, parts ...string) event.TimelineEntry {
		return event.TimelineEntry{
			ID: entryID(dl.IncidentID, append([]string{action, dl.Key}, parts...)...), IncidentID: dl.IncidentID,
			Tenant: dl.Tenant, At: now, Actor: ActorEscalate, Action: action, Ref: ref, Detail: detail,
		}
	}
	if sendErr == nil {
		upd.Status = event.DeliveryDelivered
		upd.LastError = ""
		d.m.deliveries.WithLabelValues(dl.Target, "delivered").Inc()
		return upd, nil, []event.TimelineEntry{tl(event.ActionDelivered, dl.Target,
			fmt.Sprintf("%s delivered to %s (level %d) after %d attempts, key %s", dl.Kind, dl.Target, dl.Level, upd.Attempts, dl.Key))}, nil
	}
	upd.LastError = truncate(sendErr.Error(), 1000)
	inc, incErr := d.store.Incident(ctx, dl.IncidentID)
	maxAttempts, escalateAfter, levels := d.cfg.Retry.MaxAttempts, time.Duration(0), 0
	if incErr == nil {
		if lv, n, ok := d.cfg.levelOf(inc, dl.Level); ok {
			levels = n
			if lv.MaxAttempts > 0 {
				maxAttempts = lv.MaxAttempts
			}
			escalateAfter = lv.EscalateAfter
		}
	}
	exhausted := isPermanent(sendErr) || upd.Attempts >= maxAttempts ||
		(escalateAfter > 0 && now.Sub(dl.CreatedAt) >= escalateAfter)
	if !exhausted {
		upd.NextAttemptAt = now.Add(d.backoff(upd.Attempts))
		d.m.deliveries.WithLabelValues(dl.Target, "retry").Inc()
		d.m.retries.WithLabelValues(dl.Target).Inc()
		d.log.Warn("delivery failed, will retry", "target", dl.Target, "incident_id", dl.IncidentID, "attempts", upd.Attempts, "next_attempt_at", upd.NextAttemptAt, "err", sendErr)
		return upd, nil, nil, nil
	}
	upd.Status = event.DeliveryFailed
	d.m.deliveries.WithLabelValues(dl.Target, "failed").Inc()
	d.log.Error("delivery failed", "target", dl.Target, "incident_id", dl.IncidentID, "attempts", upd.Attempts, "err", sendErr)
	entries := []event.TimelineEntry{tl(ActionDeliveryFailed, dl.Target,
		fmt.Sprintf("%s to %s (level %d) failed after %d attempts: %s", dl.Kind, dl.Target, dl.Level, upd.Attempts, upd.LastError), "failed")}
	if incErr != nil {
		return upd, nil, entries, fmt.Errorf("load incident %s for the chain: %w", dl.IncidentID, incErr)
	}
	// The chain moves on for escalations (reminders and deadline alerts
	// already go where they must).
	if (dl.Kind != KindEscalation && dl.Kind != KindChain && dl.Kind != KindManual) || dl.Level+1 >= levels {
		return upd, nil, entries, nil
	}
	lv, _, _ := d.cfg.levelOf(inc, dl.Level+1)
	next, err := d.cfg.deliveriesTo(inc, lv.Targets, KindChain, dl.Level+1, "", fmt.Sprintf("level %d target %s failed: %s", dl.Level, dl.Target, upd.LastError), now)
	if err != nil {
		return upd, nil, entries, err
	}
	d.m.chain.WithLabelValues(fmt.Sprint(dl.Level + 1)).Inc()
	for _, n := range next {
		entries = append(entries, tl(event.ActionEscalated, n.Target,
			fmt.Sprintf("escalated to level %d target %s after %s failed, key %s", n.Level, n.Target, dl.Target, n.Key), n.Key))
	}
	return upd, next, entries, nil
}

// backoff is InitialBackoff·2^(attempts-1), capped at MaxBackoff, with the
// Jitter fraction randomised (full jitter within that fraction).
func (d *Dispatcher) backoff(attempts int) time.Duration {
	r := d.cfg.Retry
	b := float64(r.InitialBackoff) * math.Pow(2, float64(attempts-1))
	if b > float64(r.MaxBackoff) {
		b = float64(r.MaxBackoff)
	}
	b = b*(1-r.Jitter) + b*r.Jitter*d.rand()
	return time.Duration(b)
}

// mark is one deadline reminder point.
type mark struct {
	name string
	at   time.Time
}

func (d *Dispatcher) marks(inc event.Incident) []mark {
	var ms []mark
	for _, r := range d.cfg.Deadlines.Reminders {
		if at := inc.DeclaredAt.Add(r); at.Before(inc.NotifyBy) {
			ms = append(ms, mark{"+" + r.String(), at})
		}
	}
	for _, r := range d.cfg.Deadlines.RemindBefore {
		if at := inc.NotifyBy.Add(-r); at.After(inc.DeclaredAt) {
			ms = append(ms, mark{"-" + r.String(), at})
		}
	}
	slices.SortFunc(ms, func(a, b mark) int { return a.at.Compare(b.at) })
	return ms
}

// Tick checks the customer-notification deadlines of declared incidents at
// now: a passed reminder mark raises a reminder delivery (once per mark); a
// passed deadline without a customer_notified entry raises deadline_missed
// to the top level of the chain (once).
func (d *Dispatcher) Tick(ctx context.Context, now time.Time) error {
	if d.declared == nil {
		return nil
	}
	incs, err := d.declared(ctx)
	if err != nil {
		return fmt.Errorf("list declared incidents: %w", err)
	}
	var errs []error
	for _, inc := range incs {
		if inc.DeclaredAt.IsZero() || inc.NotifyBy.IsZero() || !declared(inc.Status) {
			continue
		}
		if err := d.tickIncident(ctx, inc, now); err != nil {
			errs = append(errs, fmt.Errorf("deadline of incident %s: %w", inc.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (d *Dispatcher) tickIncident(ctx context.Context, inc event.Incident, now time.Time) error {
	if now.Before(inc.DeclaredAt) {
		return nil
	}
	ms := d.marks(inc)
	// The timeline is read only when something has come due that this
	// dispatcher does not know is done: an incident declared weeks ago
	// and still open would otherwise cost a read at every poll.
	if !d.done.due(inc.ID, inc.NotifyBy, ms, now) {
		return nil
	}
	tl, err := d.store.Timeline(ctx, inc.ID)
	if err != nil {
		return fmt.Errorf("read timeline: %w", err)
	}
	done := map[string]bool{}
	for _, e := range tl {
		switch e.Action {
		case ActionCustomerNotified:
			d.done.settle(inc.ID, inc.NotifyBy)
			return nil
		case event.ActionReminder, event.ActionDeadline:
			done[e.Action+"|"+e.Ref] = true
		}
	}
	for _, m := range ms {
		if done[event.ActionReminder+"|"+m.name] {
			d.done.markDone(inc.ID, inc.NotifyBy, m.name)
		}
	}
	var ds []event.Delivery
	var entries []event.TimelineEntry
	if !now.Before(inc.NotifyBy) {
		if done[event.ActionDeadline+"|"] {
			d.done.settle(inc.ID, inc.NotifyBy)
			return nil
		}
		_, levels, ok := d.cfg.levelOf(inc, 0)
		if ok {
			ds, err = d.cfg.newDeliveries(inc, KindDeadlineMissed, levels-1, "", "customer notification deadline passed", now)
			if err != nil {
				return err
			}
		}
		entries = append(entries, event.TimelineEntry{
			ID: entryID(inc.ID, event.ActionDeadline), IncidentID: inc.ID, Tenant: inc.Tenant, At: now, Actor: ActorEscalate,
			Action: event.ActionDeadline,
			Detail: fmt.Sprintf("customer notification was due %s; escalated to %s", inc.NotifyBy.UTC().Format(time.RFC3339), targetsOf(ds)),
		})
		d.m.missed.Inc()
		d.log.Error("customer notification deadline missed", "incident_id", inc.ID, "tenant", inc.Tenant, "notify_by", inc.NotifyBy)
	} else {
		// Reminders: every passed mark is recorded; only the latest is sent,
		// so a dispatcher that was down does not send a burst.
		var latest *mark
		for i, m := range ms {
			if m.at.After(now) || done[event.ActionReminder+"|"+m.name] {
				continue
			}
			latest = &ms[i]
			entries = append(entries, event.TimelineEntry{
				ID: entryID(inc.ID, event.ActionReminder, m.name), IncidentID: inc.ID, Tenant: inc.Tenant, At: now,
				Actor: ActorEscalate, Action: event.ActionReminder, Ref: m.name,
				Detail: fmt.Sprintf("reminder %s: customer notification due %s (in %s)", m.name, inc.NotifyBy.UTC().Format(time.RFC3339), inc.NotifyBy.Sub(now).Round(time.Minute)),
			})
		}
		if latest == nil {
			return nil
		}
		ds, err = d.cfg.newDeliveries(inc, KindReminder, 0, latest.name, "customer notification due "+inc.NotifyBy.UTC().Format(time.RFC3339), now)
		if err != nil {
			return err
		}
		d.m.reminders.Inc()
	}
	if err := d.store.WriteDeliveries(ctx, ds); err != nil {
		return fmt.Errorf("write deliveries: %w", err)
	}
	if err := d.store.AppendTimeline(ctx, entries); err != nil {
		return fmt.Errorf("append timeline: %w", err)
	}
	for _, e := range entries {
		if e.Action == event.ActionDeadline {
			d.done.settle(inc.ID, inc.NotifyBy)
		} else {
			d.done.markDone(inc.ID, inc.NotifyBy, e.Ref)
		}
	}
	return nil
}

func targetsOf(ds []event.Delivery) string {
	var names []string
	for _, d := range ds {
		names = append(names, d.Target)
	}
	if len(names) == 0 {
		return "no target (no route)"
	}
	return strings.Join(names, ", ")
}
