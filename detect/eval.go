package detect

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/vigil-soc/vigil/event"
)

// retryFactor scales eval_timeout for the one retry of an evaluation that
// timed out. A timeout is nearly always the goroutine waiting for a CPU
// (a busy machine, a GC cycle), not the policy: the retry gets room to
// finish, and only an evaluation that also exceeds this is given up.
const retryFactor = 10

// deadlineCheckEvery is how many evaluation steps pass between two looks
// at the clock and the context.
const deadlineCheckEvery = 64

// deadline is the topdown.Cancel of one goroutine's evaluations. It
// reports cancelled once the current evaluation ran past its deadline or
// the context ended. It looks at the clock only every deadlineCheckEvery
// steps, so an evaluation needs no timer, no context and no goroutine of
// its own (rego starts a goroutine per Eval unless given a Cancel).
type deadline struct {
	ctx     context.Context
	until   time.Time // zero: no deadline
	steps   uint32
	stopped atomic.Bool
	expired bool // stopped because the deadline passed
}

var _ topdown.Cancel = (*deadline)(nil)

func (d *deadline) reset(timeout time.Duration, now time.Time) {
	d.stopped.Store(false)
	d.expired = false
	d.steps = 0
	d.until = time.Time{}
	if timeout > 0 {
		d.until = now.Add(timeout)
	}
}

// Cancel stops the current evaluation.
func (d *deadline) Cancel() { d.stopped.Store(true) }

// Cancelled is called by the evaluator at every step, on the evaluating
// goroutine.
func (d *deadline) Cancelled() bool {
	if d.stopped.Load() {
		return true
	}
	d.steps++
	if d.steps%deadlineCheckEvery != 0 {
		return false
	}
	if d.ctx.Err() != nil {
		d.stopped.Store(true)
		return true
	}
	if !d.until.IsZero() && time.Now().After(d.until) {
		d.expired = true
		d.stopped.Store(true)
		return true
	}
	return false
}

// evaluator evaluates events for one goroutine of a Detect call. It holds
// what every evaluation of that goroutine can share: the cancel, one read
// transaction on the policy data, the options.
type evaluator struct {
	e     *Engine
	set   *policySet
	ctx   context.Context
	dl    deadline
	txn   storage.Transaction
	cache rego.EvalOption
	opts  []rego.EvalOption
	ib    inputBuilder
}

func (e *Engine) newEvaluator(ctx context.Context, set *policySet) *evaluator {
	ev := &evaluator{e: e, set: set, ctx: ctx}
	ev.dl.ctx = ctx
	// The policy data never changes within a set: one read transaction
	// serves every evaluation instead of one per Eval.
	if txn, err := set.store.NewTransaction(ctx); err == nil {
		ev.txn = txn
	}
	ev.cache = rego.EvalInterQueryBuiltinValueCache(set.cache)
	ev.opts = make([]rego.EvalOption, 0, 4)
	return ev
}

func (ev *evaluator) close() {
	if ev.txn != nil {
		ev.set.store.Abort(ev.ctx, ev.txn)
		ev.txn = nil
	}
}

// run evaluates q on input with the given time limit.
func (ev *evaluator) run(q rego.PreparedEvalQuery, input ast.Value, timeout time.Duration) (rego.ResultSet, error) {
	ev.dl.reset(timeout, time.Now())
	ev.opts = append(ev.opts[:0], rego.EvalParsedInput(input), ev.cache, rego.EvalExternalCancel(&ev.dl))
	if ev.txn != nil {
		ev.opts = append(ev.opts, rego.EvalTransaction(ev.txn))
	}
	return q.Eval(ev.ctx, ev.opts...)
}

// errTimeout marks an evaluation stopped by its deadline.
var errTimeout = errors.New("evaluation timed out")

// runChecked is run that tells a timeout (errTimeout) and the end of the
// context (the context's error) from an evaluation error.
func (ev *evaluator) runChecked(q rego.PreparedEvalQuery, input ast.Value, timeout time.Duration) (rego.ResultSet, error) {
	rs, err := ev.run(q, input, timeout)
	if err == nil {
		return rs, nil
	}
	if cerr := ev.ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if ev.dl.expired {
		return nil, errTimeout
	}
	return nil, err
}

// eval runs the one query over all detections for one event. An
// evaluation that times out is retried once with retryFactor times the
// timeout; an evaluation error is attributed by evaluating each detection
// on its own, so the other detections' findings are kept.
func (ev *evaluator) eval(x *event.Event) []finding {
	e, set := ev.e, ev.set
	input := ev.ib.value(x, set.need)
	if !set.anyCandidate(input) {
		// No finding rule can match: the evaluation would return the
		// empty set, so it is not run.
		return nil
	}
	start := time.Now()
	rs, err := ev.runChecked(set.query, input, e.cfg.EvalTimeout)
	e.metrics.evalSeconds.Observe(time.Since(start).Seconds())
	if errors.Is(err, errTimeout) {
		rs, err = ev.runChecked(set.query, input, retryFactor*e.cfg.EvalTimeout)
		elapsed := time.Since(start)
		switch {
		case err == nil:
			e.metrics.timeouts.WithLabelValues(timeoutRecovered).Inc()
			e.logger.Warn("detection evaluation timed out, retry succeeded", eventAttrs(x, elapsed, e.cfg.EvalTimeout)...)
		case errors.Is(err, errTimeout):
			e.metrics.timeouts.WithLabelValues(timeoutLost).Inc()
			e.logger.Error("detection evaluation timed out twice, findings of the event lost", eventAttrs(x, elapsed, e.cfg.EvalTimeout)...)
			return nil
		}
	}
	if err != nil {
		if ev.ctx.Err() != nil {
			return nil
		}
		return ev.evalEach(x, input)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil
	}
	items, _ := rs[0].Expressions[0].Value.([]any)
	if len(items) == 0 {
		return nil
	}
	out := make([]finding, 0, len(items))
	for _, it := range items {
		pair, ok := it.([]any)
		if !ok || len(pair) != 2 {
			continue
		}
		pkg, _ := pair[0].(string)
		idx, ok := set.byPkg[pkg]
		if !ok {
			continue
		}
		out = append(out, makeFinding(idx, x, pair[1]))
	}
	sortFindings(set, out)
	return out
}

// evalEach evaluates every detection on its own, counts and logs the ones
// that fail and returns the findings of the others.
func (ev *evaluator) evalEach(x *event.Event, input ast.Value) []finding {
	e, set := ev.e, ev.set
	var out []finding
	for i, q := range set.perDet {
		rs, err := ev.runChecked(q, input, retryFactor*e.cfg.EvalTimeout)
		if err != nil {
			if ev.ctx.Err() != nil {
				return nil
			}
			e.metrics.errors.WithLabelValues(set.dets[i].ID).Inc()
			e.logger.Warn("detection evaluation failed", "policy", set.dets[i].ID, "event_id", x.Event.ID,
				"dataset", x.Event.Dataset, "action", x.Event.Action, "err", err)
			continue
		}
		if len(rs) == 0 || len(rs[0].Expressions) == 0 {
			continue
		}
		items, _ := rs[0].Expressions[0].Value.([]any)
		for _, it := range items {
			out = append(out, makeFinding(i, x, it))
		}
	}
	sortFindings(set, out)
	return out
}

func eventAttrs(x *event.Event, elapsed, timeout time.Duration) []any {
	return []any{"event_id", x.Event.ID, "dataset", x.Event.Dataset, "action", x.Event.Action,
		"code", x.Event.Code, "elapsed", elapsed, "timeout", timeout}
}

// evalEvent evaluates one event on its own goroutine's evaluator.
func (e *Engine) evalEvent(ctx context.Context, set *policySet, x *event.Event) []finding {
	ev := e.newEvaluator(ctx, set)
	defer ev.close()
	return ev.eval(x)
}

// inputResolver resolves input references against one event's input for
// the rule index, as the evaluator does. Any other reference is unknown,
// which makes the index keep every rule that depends on it.
type inputResolver struct{ input ast.Value }

func (r inputResolver) Resolve(ref ast.Ref) (ast.Value, error) {
	if !ref[0].Equal(ast.InputRootDocument) {
		return nil, ast.UnknownValueErr{}
	}
	v, err := r.input.Find(ref[1:])
	if err != nil {
		return nil, nil // undefined
	}
	return v, nil
}

// anyCandidate reports whether OPA's rule index selects at least one
// finding rule for input: the same lookup the evaluation starts with, so
// an event none of whose indexed conditions hold costs a trie walk instead
// of an evaluation. When in doubt it answers true.
func (s *policySet) anyCandidate(input ast.Value) bool {
	if s.index == nil {
		return true
	}
	res, err := s.index.Lookup(inputResolver{input})
	if err != nil {
		return true
	}
	n := len(res.Rules)
	ast.IndexResultPool.Put(res)
	return n > 0
}
