package escalate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/vigil-soc/vigil/event"
)

// Actors that are not people.
const (
	ActorCorrelate = "vigil/correlate"
	ActorEscalate  = "vigil/escalate"
)

// Timeline actions escalate adds to event's.
const (
	ActionCustomerNotified = "customer_notified"
	ActionDeliveryFailed   = "delivery_failed"
	// ActionPolicyFailed records that the auto-confirmation policy failed
	// on a version of the incident, which is left to analysts.
	ActionPolicyFailed = "policy_failed"
)

// Options are a Manager's collaborators; zero values get defaults.
type Options struct {
	Now    func() time.Time // default time.Now
	Policy *Policy          // default: Config.PolicyFile or the embedded policy
	// IsNotFound recognises the store's not-found error (storage.ErrNotFound);
	// default errors.Is(err, ErrNotFound).
	IsNotFound func(error) bool
	Metrics    *Metrics
	Logger     *slog.Logger
	// OutboxWritten is called after deliveries were written to the
	// outbox; the service passes its Dispatcher's Wake.
	OutboxWritten func()
}

// Manager runs the incident lifecycle: it merges candidate incidents from
// correlation with the stored state, applies transitions, auto-confirms
// by policy and writes the outbox on declaration. It is safe for
// concurrent use; changes to one incident are serialised within a process.
type Manager struct {
	cfg        Config
	store      Store
	now        func() time.Time
	isNotFound func(error) bool
	policy     atomic.Pointer[Policy]
	m          *Metrics
	log        *slog.Logger
	written    func()
	locks      [64]sync.Mutex
	// declared remembers incidents known to have been declared. A declared
	// incident stays declared (declared_at is never cleared), and
	// auto-confirmation never reads the alerts of one, so observe does not
	// prefetch them: at a live rate those reads were a large part of the
	// store's work. Only a hint: an incident missing from it is read as
	// before.
	declared declaredSet
	alerts   alertCache
}

// declaredSet is a bounded set of incident ids.
type declaredSet struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

// maxDeclaredHints bounds declaredSet; when full it starts again empty,
// which costs only prefetches.
const maxDeclaredHints = 1 << 16

func (d *declaredSet) add(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ids == nil || len(d.ids) >= maxDeclaredHints {
		d.ids = make(map[string]struct{})
	}
	d.ids[id] = struct{}{}
}

func (d *declaredSet) has(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.ids[id]
	return ok
}

// NewManager builds a Manager. cfg must have been through ParseConfig or
// ApplyDefaults+Validate.
func NewManager(ctx context.Context, cfg Config, store Store, opts Options) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mg := &Manager{cfg: cfg, store: store, now: opts.Now, isNotFound: opts.IsNotFound, m: opts.Metrics, log: opts.Logger,
		written: opts.OutboxWritten}
	if mg.now == nil {
		mg.now = time.Now
	}
	if mg.isNotFound == nil {
		mg.isNotFound = func(err error) bool { return errors.Is(err, ErrNotFound) }
	}
	if mg.m == nil {
		mg.m = NewMetrics(nil)
	}
	if mg.log == nil {
		mg.log = slog.New(slog.DiscardHandler)
	}
	p := opts.Policy
	if p == nil {
		var err error
		if p, err = LoadPolicy(ctx, cfg.PolicyFile); err != nil {
			return nil, err
		}
	}
	mg.policy.Store(p)
	return mg, nil
}

// SetPolicy swaps the auto-confirmation policy (the caller compiled it, so
// a bad policy never replaces a good one).
func (mg *Manager) SetPolicy(p *Policy) { mg.policy.Store(p) }

// Config returns the configuration the manager runs with.
func (mg *Manager) Config() Config { return mg.cfg }

func (mg *Manager) stripe(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(len(mg.locks)))
}

func (mg *Manager) lock(id string) func() {
	l := &mg.locks[mg.stripe(id)]
	l.Lock()
	return l.Unlock
}

// lockAll locks the stripes of ids in stripe order, so that two batches
// sharing stripes cannot each hold one the other waits for, and returns
// the unlock.
func (mg *Manager) lockAll(ids []string) func() {
	var stripes []int
	for _, id := range ids {
		stripes = append(stripes, mg.stripe(id))
	}
	slices.Sort(stripes)
	stripes = slices.Compact(stripes)
	for _, i := range stripes {
		mg.locks[i].Lock()
	}
	return func() {
		for _, i := range stripes {
			mg.locks[i].Unlock()
		}
	}
}

// load reads an incident, mapping the store's not-found error to ErrNotFound.
func (mg *Manager) load(ctx context.Context, id string) (event.Incident, error) {
	inc, err := mg.store.Incident(ctx, id)
	if err != nil {
		if mg.isNotFound(err) {
			return event.Incident{}, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		return event.Incident{}, fmt.Errorf("load incident %s: %w", id, err)
	}
	return inc, nil
}

// Get returns the stored incident.
func (mg *Manager) Get(ctx context.Context, id string) (event.Incident, error) {
	return mg.load(ctx, id)
}

func entryID(incidentID string, parts ...string) string {
	return event.StableID("tl-", append([]string{incidentID}, parts...)...)
}

// Observe merges candidate incidents from correlation into the stored
// state and runs auto-confirmation. A replay of unchanged incidents writes
// nothing.
//
// A batch is read in two statements (per maxObserveBatch incidents): the
// stored incidents and the alerts the policy may read. Per incident, these
// reads were a quarter of ClickHouse's work at a live rate. The incidents
// are locked before they are read, so no change made through this process
// falls between the read and the write.
func (mg *Manager) Observe(ctx context.Context, incs []event.Incident) error {
	var ids []string
	byID := make(map[string][]event.Incident, len(incs))
	for _, c := range incs {
		if c.ID == "" {
			return errors.New("observe: incident without id")
		}
		if _, seen := byID[c.ID]; !seen {
			ids = append(ids, c.ID)
		}
		byID[c.ID] = append(byID[c.ID], c)
	}
	// A large batch (a backlog after an outage) goes in parts, so that an
	// analyst's transition waits for one part, not for all of them.
	var errs []error
	for part := range slices.Chunk(ids, maxObserveBatch) {
		errs = append(errs, mg.observeBatch(ctx, part, byID))
	}
	return errors.Join(errs...)
}

// observeBatch merges the candidates byID holds for ids, which it locks.
func (mg *Manager) observeBatch(ctx context.Context, ids []string, byID map[string][]event.Incident) error {
	defer mg.lockAll(ids)()
	// Alerts are read while the incidents are, not after them, unless an
	// incident is known to be declared (then the policy does not run;
	// should it run after all, its alerts are read when asked for).
	var prefetch []string
	for _, id := range ids {
		if mg.declared.has(id) {
			continue
		}
		for _, c := range byID[id] {
			prefetch = append(prefetch, c.AlertIDs...)
		}
	}
	alertsOf := mg.prefetchAlerts(ctx, prefetch)
	stored, err := mg.store.Incidents(ctx, ids)
	if err != nil {
		alertsOf(nil) // let the prefetch finish
		return fmt.Errorf("observe: load %d incidents: %w", len(ids), err)
	}
	// Incidents are independent, so they are merged concurrently: their
	// writes join the same storage batches instead of each waiting for a
	// flush of its own. Versions of one incident are merged in order.
	p := pool.New().WithErrors().WithMaxGoroutines(observeConcurrency)
	for _, id := range ids {
		p.Go(func() error {
			cur, found := stored[id]
			for _, c := range byID[id] {
				var err error
				if cur, err = mg.observe(ctx, c, cur, found, alertsOf); err != nil {
					return fmt.Errorf("observe incident %s: %w", id, err)
				}
				found = true
			}
			return nil
		})
	}
	return p.Wait()
}

// maxObserveBatch is the most incidents Observe locks and reads at once.
const maxObserveBatch = 128

// observeConcurrency bounds the incidents merged at once.
const observeConcurrency = 32

// observe merges c into stored (found says whether there is a stored
// version) and returns the incident as it now stands. The caller holds
// the incident's lock.
func (mg *Manager) observe(ctx context.Context, c event.Incident, stored event.Incident, found bool, alertsOf alertReader) (event.Incident, error) {
	now := mg.now()
	if found && !stored.DeclaredAt.IsZero() {
		mg.declared.add(c.ID)
	}
	var inc event.Incident
	var entries []event.TimelineEntry
	if !found {
		inc = c
		inc.Status = event.StatusCandidate
		if inc.CreatedAt.IsZero() {
			inc.CreatedAt = now
		}
		inc.UpdatedAt = now
		inc.DeclaredAt, inc.ContainedAt, inc.ClosedAt, inc.NotifyBy = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		inc.Version = 1
		entries = append(entries, event.TimelineEntry{
			ID: entryID(inc.ID, event.ActionCreated), At: inc.CreatedAt, Actor: ActorCorrelate,
			Action: event.ActionCreated, ToStatus: event.StatusCandidate, Ref: inc.Rule,
			Detail: fmt.Sprintf("%s (%s rule %s, key %s): %d alerts", inc.Title, inc.Kind, inc.Rule, inc.Key, len(inc.AlertIDs)),
		})
		for _, a := range inc.AlertIDs {
			entries = append(entries, event.TimelineEntry{
				ID: entryID(inc.ID, event.ActionAlertAdded, a), At: inc.CreatedAt, Actor: ActorCorrelate,
				Action: event.ActionAlertAdded, Ref: a,
			})
		}
	} else {
		var changed bool
		inc, entries, changed = merge(stored, c, now)
		if !changed {
			return mg.autoConfirm(ctx, stored, alertsOf, nil)
		}
	}
	for i := range entries {
		entries[i].IncidentID, entries[i].Tenant = inc.ID, inc.Tenant
	}
	if !found {
		mg.m.observe("detect", inc.FirstSeen, inc.CreatedAt)
	}
	// The new version is written with the declaration when the policy
	// confirms it, so a page waits for one round of writes, not two.
	return mg.autoConfirm(ctx, inc, alertsOf, &pendingWrite{incs: []event.Incident{inc}, entries: entries})
}

// pendingWrite is an incident version and its timeline entries that are
// still to be written.
type pendingWrite struct {
	incs    []event.Incident
	entries []event.TimelineEntry
}

// write stores the timeline entries, then the incident versions. Timeline
// first: entry ids derive from the stored version, so a retry after a
// crash between the two writes produces the same entries.
func (mg *Manager) write(ctx context.Context, w *pendingWrite) error {
	if w == nil {
		return nil
	}
	if err := mg.store.AppendTimeline(ctx, w.entries); err != nil {
		return fmt.Errorf("append timeline: %w", err)
	}
	if len(w.incs) > 0 {
		if err := mg.store.WriteIncidents(ctx, w.incs); err != nil {
			return fmt.Errorf("write incident: %w", err)
		}
	}
	return nil
}

// alertReader returns the alerts among ids that exist and are not signals,
// in the store's order (timestamp, id).
type alertReader func(ids []string) ([]event.Alert, error)

// prefetchAlerts starts reading the alerts ids names and returns a reader
// that waits for them and serves its ids from them, reading only those the
// prefetch did not cover. Signals are left out: the policy decides on the
// alerts people see, and a spray's incident can cite thousands of signals,
// read again at every version.
func (mg *Manager) prefetchAlerts(ctx context.Context, ids []string) alertReader {
	type result struct {
		alerts map[string]event.Alert
		err    error
	}
	asked := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		asked[id] = struct{}{}
	}
	done := make(chan result, 1)
	if len(ids) > 0 {
		go func() {
			as, err := mg.visibleAlerts(ctx, ids)
			byID := make(map[string]event.Alert, len(as))
			for _, a := range as {
				byID[a.ID] = a
			}
			done <- result{byID, err}
		}()
	} else {
		done <- result{}
	}
	var once sync.Once
	var r result
	return func(want []string) ([]event.Alert, error) {
		once.Do(func() { r = <-done })
		if r.err != nil {
			return nil, fmt.Errorf("load alerts: %w", r.err)
		}
		var out []event.Alert
		var missing []string
		for _, id := range want {
			if _, ok := asked[id]; !ok {
				missing = append(missing, id)
			} else if a, ok := r.alerts[id]; ok {
				out = append(out, a)
			}
		}
		if len(missing) > 0 {
			more, err := mg.visibleAlerts(ctx, missing)
			if err != nil {
				return nil, fmt.Errorf("load alerts: %w", err)
			}
			out = append(out, more...)
		}
		// In the store's order, whichever read an alert came from.
		slices.SortStableFunc(out, func(a, b event.Alert) int {
			return cmp.Or(a.Timestamp.Compare(b.Timestamp), strings.Compare(a.ID, b.ID))
		})
		return out, nil
	}
}

// merge folds the correlator's view c into the stored incident: status and
// lifecycle timestamps stay, alerts/entities/severity come from c. New
// alerts on a contained, eradicated or recovered incident reopen it.
func merge(stored, c event.Incident, now time.Time) (event.Incident, []event.TimelineEntry, bool) {
	inc := stored
	var entries []event.TimelineEntry
	var newAlerts []string
	for _, a := range c.AlertIDs {
		if !slices.Contains(stored.AlertIDs, a) {
			newAlerts = append(newAlerts, a)
		}
	}
	inc.AlertIDs = union(stored.AlertIDs, c.AlertIDs)
	inc.EventIDs = union(stored.EventIDs, c.EventIDs)
	inc.DetectionIDs = union(stored.DetectionIDs, c.DetectionIDs)
	inc.Tactics = union(stored.Tactics, c.Tactics)
	inc.Techniques = union(stored.Techniques, c.Techniques)
	inc.Entities = unionEntities(stored.Entities, c.Entities)
	if c.Severity != event.SeverityUnknown {
		inc.Severity = c.Severity
	}
	inc.Confidence, inc.RiskScore = c.Confidence, c.RiskScore
	if c.Title != "" {
		inc.Title = c.Title
	}
	if c.Summary != "" {
		inc.Summary = c.Summary
	}
	if !c.FirstSeen.IsZero() && (inc.FirstSeen.IsZero() || c.FirstSeen.Before(inc.FirstSeen)) {
		inc.FirstSeen = c.FirstSeen
	}
	if c.LastSeen.After(inc.LastSeen) {
		inc.LastSeen = c.LastSeen
	}
	changed := len(newAlerts) > 0 || !sameContent(stored, inc)
	if !changed {
		return stored, nil, false
	}
	inc.Version = stored.Version + 1
	inc.UpdatedAt = now
	ver := fmt.Sprint(inc.Version)
	for _, a := range newAlerts {
		entries = append(entries, event.TimelineEntry{
			ID: entryID(inc.ID, event.ActionAlertAdded, a), At: now, Actor: ActorCorrelate,
			Action: event.ActionAlertAdded, Ref: a,
		})
	}
	if len(newAlerts) == 0 {
		entries = append(entries, event.TimelineEntry{
			ID: entryID(inc.ID, event.ActionUpdated, ver), At: now, Actor: ActorCorrelate,
			Action: event.ActionUpdated, Detail: fmt.Sprintf("severity %s, confidence %d, risk %d, %d entities", inc.Severity, inc.Confidence, inc.RiskScore, len(inc.Entities)),
		})
	}
	if len(newAlerts) > 0 && reopens(stored.Status) {
		inc.Status = event.StatusTriage
		entries = append(entries, event.TimelineEntry{
			ID: entryID(inc.ID, event.ActionTransition, ver), At: now, Actor: ActorEscalate,
			Action: event.ActionTransition, FromStatus: stored.Status, ToStatus: event.StatusTriage,
			Detail: fmt.Sprintf("reopened: %d new alerts after %s", len(newAlerts), stored.Status),
		})
	}
	return inc, entries, true
}

func sameContent(a, b event.Incident) bool {
	return a.Severity == b.Severity && a.Confidence == b.Confidence && a.RiskScore == b.RiskScore &&
		a.Title == b.Title && a.Summary == b.Summary && a.FirstSeen.Equal(b.FirstSeen) && a.LastSeen.Equal(b.LastSeen) &&
		slices.Equal(a.EventIDs, b.EventIDs) && slices.Equal(a.DetectionIDs, b.DetectionIDs) &&
		slices.Equal(a.Tactics, b.Tactics) && slices.Equal(a.Techniques, b.Techniques) && slices.Equal(a.Entities, b.Entities)
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func unionEntities(a, b []event.Entity) []event.Entity {
	out := slices.Clone(a)
	for _, e := range b {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// autoConfirm declares an undeclared candidate or triage incident when
// the policy says so; pending (inc's own version, not yet written) is
// written with the declaration, or alone. It returns the incident as it
// now stands. The caller holds the incident's lock.
func (mg *Manager) autoConfirm(ctx context.Context, inc event.Incident, alertsOf alertReader, pending *pendingWrite) (event.Incident, error) {
	if !inc.DeclaredAt.IsZero() || (inc.Status != event.StatusCandidate && inc.Status != event.StatusTriage) {
		return inc, mg.write(ctx, pending)
	}
	alerts, err := alertsOf(inc.AlertIDs)
	if err != nil {
		// The incident is stored all the same; the decision is retried.
		return inc, errors.Join(mg.write(ctx, pending), err)
	}
	p := mg.policy.Load()
	limit := cmp.Or(max(mg.cfg.PolicyTimeout, 0), DefaultPolicyTimeout)
	dctx, cancel := context.WithTimeout(ctx, limit)
	d, err := p.Decide(dctx, inc, alerts)
	if err != nil && ctx.Err() == nil && errors.Is(dctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("policy %s ran past its time limit (escalate.policy_timeout %s): %w", p.name, limit, err)
	}
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return inc, errors.Join(mg.write(ctx, pending), err)
		}
		// The policy fails the same way on a retry of the same input, so
		// failing the batch would stop the stream behind it for good. The
		// incident is left to analysts, with the failure on its timeline
		// (once per version); the decision runs again when it changes.
		mg.m.policyErrors.Inc()
		mg.log.Error("auto-confirmation policy failed; the incident is left to analysts",
			"incident_id", inc.ID, "policy", p.name, "err", err)
		e := event.TimelineEntry{
			ID: entryID(inc.ID, ActionPolicyFailed, fmt.Sprint(inc.Version)), IncidentID: inc.ID, Tenant: inc.Tenant,
			At: mg.now(), Actor: ActorEscalate, Action: ActionPolicyFailed, Detail: err.Error(),
		}
		if pending == nil {
			pending = &pendingWrite{}
		}
		pending.entries = append(pending.entries, e)
		return inc, mg.write(ctx, pending)
	}
	if !d.Confirm {
		return inc, mg.write(ctx, pending)
	}
	mg.m.confirmations.Inc()
	return mg.declare(ctx, inc, ActorEscalate, "auto-confirmed: "+strings.Join(d.Reasons, "; "), pending)
}

// declare confirms an incident: deliveries first (the outbox), then the
// timeline and the incident row, each together with what pending holds
// (the version being declared, when it is not stored yet). The caller
// holds the incident's lock.
func (mg *Manager) declare(ctx context.Context, inc event.Incident, actor, reason string, pending *pendingWrite) (event.Incident, error) {
	now := mg.now()
	from := inc.Status
	first := inc.DeclaredAt.IsZero()
	if first {
		inc.DeclaredAt = now
		inc.NotifyBy = now.Add(mg.cfg.Deadlines.NotifyDeadline(inc.Tenant))
	}
	inc.Status = event.StatusConfirmed
	inc.Version++
	inc.UpdatedAt = now
	ver := fmt.Sprint(inc.Version)
	entries := []event.TimelineEntry{{
		ID: entryID(inc.ID, event.ActionTransition, ver), At: now, Actor: actor,
		Action: event.ActionTransition, FromStatus: from, ToStatus: event.StatusConfirmed, Detail: reason,
	}}
	if first {
		ds, err := mg.cfg.newDeliveries(inc, KindEscalation, 0, "", reason, now)
		if err != nil {
			return inc, err
		}
		if len(ds) == 0 {
			mg.log.Warn("no route for declared incident", "incident_id", inc.ID)
		}
		if err := mg.writeOutbox(ctx, ds); err != nil {
			return inc, err
		}
		for _, d := range ds {
			entries = append(entries, event.TimelineEntry{
				ID: entryID(inc.ID, event.ActionEscalated, d.Key), At: now, Actor: ActorEscalate,
				Action: event.ActionEscalated, Ref: d.Target, Detail: fmt.Sprintf("%s to %s (level 0), key %s", d.Kind, d.Target, d.Key),
			})
		}
	}
	for i := range entries {
		entries[i].IncidentID, entries[i].Tenant = inc.ID, inc.Tenant
	}
	w := &pendingWrite{entries: entries, incs: []event.Incident{inc}}
	if pending != nil {
		w.entries = append(slices.Clip(pending.entries), entries...)
		w.incs = append(slices.Clip(pending.incs), inc)
	}
	if err := mg.write(ctx, w); err != nil {
		return inc, err
	}
	mg.declared.add(inc.ID)
	mg.m.transitions.WithLabelValues(string(event.StatusConfirmed)).Inc()
	if first {
		mg.m.observe("confirm", inc.CreatedAt, inc.DeclaredAt)
		mg.log.Info("incident declared", "incident_id", inc.ID, "tenant", inc.Tenant, "notify_by", inc.NotifyBy, "actor", actor)
	}
	return inc, nil
}

// Transition moves an incident to another status on behalf of actor.
// Dismissing needs a reason; a move the lifecycle table does not allow
// returns *TransitionError.
func (mg *Manager) Transition(ctx context.Context, id string, to event.Status, actor, reason string) (event.Incident, error) {
	if !ValidStatus(to) {
		return event.Incident{}, fmt.Errorf("%w %q", ErrUnknownStatus, to)
	}
	if to == event.StatusDismissed && strings.TrimSpace(reason) == "" {
		return event.Incident{}, fmt.Errorf("dismiss: %w", ErrReasonRequired)
	}
	defer mg.lock(id)()
	inc, err := mg.load(ctx, id)
	if err != nil {
		return event.Incident{}, err
	}
	if !CanTransition(inc.Status, to) {
		return inc, &TransitionError{From: inc.Status, To: to}
	}
	if to == event.StatusConfirmed {
		return mg.declare(ctx, inc, actor, reason, nil)
	}
	now := mg.now()
	from := inc.Status
	inc.Status = to
	inc.Version++
	inc.UpdatedAt = now
	switch to {
	case event.StatusContained:
		if inc.ContainedAt.IsZero() {
			inc.ContainedAt = now
			mg.m.observe("contain", inc.DeclaredAt, now)
		}
	case event.StatusClosed, event.StatusDismissed:
		if inc.ClosedAt.IsZero() {
			inc.ClosedAt = now
			if to == event.StatusClosed {
				mg.m.observe("close", inc.DeclaredAt, now)
			}
		}
	}
	e := event.TimelineEntry{
		ID: entryID(inc.ID, event.ActionTransition, fmt.Sprint(inc.Version)), IncidentID: inc.ID, Tenant: inc.Tenant,
		At: now, Actor: actor, Action: event.ActionTransition, FromStatus: from, ToStatus: to, Detail: reason,
	}
	if err := mg.store.AppendTimeline(ctx, []event.TimelineEntry{e}); err != nil {
		return inc, fmt.Errorf("append timeline: %w", err)
	}
	if err := mg.store.WriteIncidents(ctx, []event.Incident{inc}); err != nil {
		return inc, fmt.Errorf("write incident: %w", err)
	}
	mg.m.transitions.WithLabelValues(string(to)).Inc()
	return inc, nil
}

// AddNote records an analyst's note.
func (mg *Manager) AddNote(ctx context.Context, id, actor, text string) (event.TimelineEntry, error) {
	return mg.record(ctx, id, false, event.TimelineEntry{Actor: actor, Action: event.ActionNote, Detail: text})
}

// MarkCustomerNotified records that the customer was notified, which stops
// the deadline reminders. The incident must be declared.
func (mg *Manager) MarkCustomerNotified(ctx context.Context, id, actor, detail string) (event.TimelineEntry, error) {
	return mg.record(ctx, id, true, event.TimelineEntry{Actor: actor, Action: ActionCustomerNotified, Detail: detail})
}

func (mg *Manager) record(ctx context.Context, id string, needDeclared bool, e event.TimelineEntry) (event.TimelineEntry, error) {
	inc, err := mg.load(ctx, id)
	if err != nil {
		return e, err
	}
	if needDeclared && inc.DeclaredAt.IsZero() {
		return e, fmt.Errorf("%s: %w", e.Action, ErrNotDeclared)
	}
	e.At = mg.now()
	e.IncidentID, e.Tenant = inc.ID, inc.Tenant
	e.ID = entryID(inc.ID, e.Action, e.Actor, e.At.Format(time.RFC3339Nano), e.Detail)
	if err := mg.store.AppendTimeline(ctx, []event.TimelineEntry{e}); err != nil {
		return e, fmt.Errorf("append timeline: %w", err)
	}
	return e, nil
}

// Escalate sends an incident by hand to a level of its route's chain (an
// analyst wants more people now). Each call is a distinct delivery.
func (mg *Manager) Escalate(ctx context.Context, id string, level int, actor, reason string) ([]event.Delivery, error) {
	defer mg.lock(id)()
	inc, err := mg.load(ctx, id)
	if err != nil {
		return nil, err
	}
	now := mg.now()
	if _, n, ok := mg.cfg.levelOf(inc, 0); !ok {
		return nil, fmt.Errorf("escalate %s: %w", id, ErrNoRoute)
	} else if level < 0 || level >= n {
		return nil, fmt.Errorf("escalate %s: %w: level %d (chain has %d)", id, ErrNoLevel, level, n)
	}
	mark := actor + "@" + now.UTC().Format(time.RFC3339Nano)
	ds, err := mg.cfg.newDeliveries(inc, KindManual, level, mark, reason, now)
	if err != nil {
		return nil, err
	}
	if err := mg.writeOutbox(ctx, ds); err != nil {
		return nil, err
	}
	entries := make([]event.TimelineEntry, 0, len(ds))
	for _, d := range ds {
		entries = append(entries, event.TimelineEntry{
			ID: entryID(inc.ID, event.ActionEscalated, d.Key), IncidentID: inc.ID, Tenant: inc.Tenant, At: now,
			Actor: actor, Action: event.ActionEscalated, Ref: d.Target,
			Detail: fmt.Sprintf("manual escalation to %s (level %d): %s", d.Target, level, reason),
		})
	}
	if err := mg.store.AppendTimeline(ctx, entries); err != nil {
		return ds, fmt.Errorf("append timeline: %w", err)
	}
	return ds, nil
}

// More errors callers branch on.
var (
	ErrNoRoute = errors.New("no escalation route matches the incident")
	ErrNoLevel = errors.New("no such chain level")
)

// writeOutbox writes deliveries to the outbox and, once they are durable,
// tells the dispatcher.
func (mg *Manager) writeOutbox(ctx context.Context, ds []event.Delivery) error {
	if err := mg.store.WriteDeliveries(ctx, ds); err != nil {
		return fmt.Errorf("write deliveries: %w", err)
	}
	if len(ds) > 0 && mg.written != nil {
		mg.written()
	}
	return nil
}
