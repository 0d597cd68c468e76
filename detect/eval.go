package detect

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	opametrics "github.com/open-policy-agent/opa/v1/metrics"
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
// transaction on the policy data, the options. Evaluators are pooled per
// policy set, so that what they build once (the compiled query, the data
// read from the store, the terms of recurring strings) serves the next
// Detect calls too: the pipeline's batches are often small.
type evaluator struct {
	e     *Engine
	set   *policySet
	ctx   context.Context
	dl    deadline
	txn   storage.Transaction
	cache rego.EvalOption
	opts  []rego.EvalOption
	ib    inputBuilder
	res   eventResolver
	data  *dataCache
	rules *ruleCache
	// q and input are reused from evaluation to evaluation.
	q     *topdown.Query
	input ast.Term
	// prefiltered counts the events of the call the prefilter ruled out;
	// close adds them to the metric, one atomic add per goroutine.
	prefiltered int
}

// newEvaluator returns an evaluator of set for one goroutine, pooled or
// new. Call close when done with it.
func (e *Engine) newEvaluator(ctx context.Context, set *policySet) *evaluator {
	ev, ok := set.evaluators.Get().(*evaluator)
	if !ok || ev.e != e || ev.set != set {
		ev = &evaluator{e: e, set: set, data: &dataCache{}, rules: newRuleCache(),
			cache: rego.EvalInterQueryBuiltinValueCache(set.cache), opts: make([]rego.EvalOption, 0, 8)}
	}
	ev.ctx, ev.dl.ctx = ctx, ctx
	// The policy data never changes within a set: one read transaction
	// serves every evaluation of the call instead of one per Eval.
	if txn, err := set.store.NewTransaction(ctx); err == nil {
		ev.txn = txn
	}
	if ev.q != nil {
		ev.q.WithTransaction(ev.txn)
	}
	return ev
}

// close ends the evaluator's transaction and returns it to the pool. It
// keeps nothing of the call's events or context.
func (ev *evaluator) close() {
	if ev.prefiltered > 0 {
		ev.e.metrics.prefiltered.Add(float64(ev.prefiltered))
		ev.prefiltered = 0
	}
	if ev.txn != nil {
		ev.set.store.Abort(ev.ctx, ev.txn)
		ev.txn = nil
	}
	ev.ctx, ev.dl.ctx = nil, nil
	ev.res = eventResolver{}
	ev.ib.raw.forget()
	ev.input.Value = nil
	ev.set.evaluators.Put(ev)
}

// run evaluates q on input with the given time limit.
func (ev *evaluator) run(q rego.PreparedEvalQuery, input ast.Value, timeout time.Duration) (rego.ResultSet, error) {
	ev.dl.reset(timeout, time.Now())
	ev.rules.reset()
	ev.opts = append(ev.opts[:0], rego.EvalParsedInput(input), ev.cache, rego.EvalExternalCancel(&ev.dl),
		rego.EvalBaseCache(ev.data), rego.EvalVirtualCache(ev.rules), rego.EvalMetrics(opametrics.NoOp()))
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
	if err != nil {
		return nil, ev.checked(err)
	}
	return rs, nil
}

// runAll evaluates every detection on input with the given time limit and
// returns the set of [package, finding] pairs. It drives OPA's evaluator
// directly with the query compiled once per policy set, rather than
// through rego.PreparedEvalQuery, whose per-call evaluation context,
// metrics and conversion of the result to Go values cost as much as the
// evaluation of an event whose indexed rules fail.
func (ev *evaluator) runAll(input ast.Value, timeout time.Duration) (ast.Set, error) {
	if ev.txn == nil || ev.set.all.body == nil {
		// Through rego with OPA's own per-evaluation caches: the reference
		// the direct path is tested against.
		ev.dl.reset(timeout, time.Now())
		rs, err := ev.set.query.Eval(ev.ctx, rego.EvalParsedInput(input), ev.cache, rego.EvalExternalCancel(&ev.dl))
		if err = ev.checked(err); err != nil || len(rs) == 0 || len(rs[0].Expressions) == 0 {
			return nil, err
		}
		// rego gives the set as a list of Go values.
		items, _ := rs[0].Expressions[0].Value.([]any)
		out := ast.NewSet()
		for _, it := range items {
			v, err := ast.InterfaceToValue(it)
			if err != nil {
				return nil, err
			}
			out.Add(ast.NewTerm(v))
		}
		return out, nil
	}
	now := time.Now()
	ev.dl.reset(timeout, now)
	ev.rules.reset()
	if ev.q == nil {
		ev.q = topdown.NewQuery(ev.set.all.body).
			WithQueryCompiler(ev.set.all.compiler).
			WithCompiler(ev.set.compiler).
			WithStore(ev.set.store).
			WithTransaction(ev.txn).
			WithIndexing(true).
			WithEarlyExit(true).
			WithInterQueryBuiltinValueCache(ev.set.cache).
			WithBuiltins(ev.set.builtins).
			WithBaseCache(ev.data).
			WithVirtualCache(ev.rules).
			WithCancel(&ev.dl).
			WithMetrics(opametrics.NoOp())
	}
	ev.input.Value = input
	var out ast.Set
	err := ev.q.WithInput(&ev.input).WithTime(now).Iter(ev.ctx, func(qr topdown.QueryResult) error {
		if t := qr[allFindingsVar]; t != nil {
			out, _ = t.Value.(ast.Set)
		}
		return nil
	})
	return out, ev.checked(err)
}

// checked tells a timeout (errTimeout) and the end of the context (the
// context's error) from an evaluation error.
func (ev *evaluator) checked(err error) error {
	if err == nil {
		return nil
	}
	if cerr := ev.ctx.Err(); cerr != nil {
		return cerr
	}
	if ev.dl.expired {
		return errTimeout
	}
	return err
}

// eval runs the one query over all detections for one event. An
// evaluation that times out is retried once with retryFactor times the
// timeout; an evaluation error is attributed by evaluating each detection
// on its own, so the other detections' findings are kept.
func (ev *evaluator) eval(x *event.Event) []finding {
	e, set := ev.e, ev.set
	if len(set.dets) == 0 {
		// A set without detections (storing evidence only) finds nothing;
		// without this the empty rule index would let every event through.
		return nil
	}
	ev.res.reset(x, set.need, &ev.ib)
	// When no finding rule can match, the evaluation would return the
	// empty set: it is not run, and the input is not built. The prefilter
	// tells from the event struct; OPA's index, asked with the event, is
	// the fallback for sets the prefilter cannot cover.
	if set.pre != nil {
		if !set.pre.mayMatch(&ev.res) {
			ev.prefiltered++
			return nil
		}
	} else if !set.anyCandidate(&ev.res) {
		return nil
	}
	input := ev.res.value()
	start := time.Now()
	found, err := ev.runAll(input, e.cfg.EvalTimeout)
	e.metrics.evalSeconds.Observe(time.Since(start).Seconds())
	if errors.Is(err, errTimeout) {
		found, err = ev.runAll(input, retryFactor*e.cfg.EvalTimeout)
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
		// One failing detection must not cost the others their findings.
		e.metrics.fallbacks.Inc()
		return ev.evalEach(x, input)
	}
	if found == nil || found.Len() == 0 {
		return nil
	}
	out := make([]finding, 0, found.Len())
	found.Foreach(func(t *ast.Term) {
		pair, ok := t.Value.(*ast.Array)
		if !ok || pair.Len() != 2 {
			return
		}
		pkg, _ := pair.Elem(0).Value.(ast.String)
		idx, ok := set.byPkg[string(pkg)]
		if !ok {
			return
		}
		v, err := ast.JSON(pair.Elem(1).Value)
		if err != nil {
			return
		}
		out = append(out, makeFinding(idx, x, v))
	})
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
func (s *policySet) anyCandidate(r ast.ValueResolver) bool {
	if s.index == nil {
		return true
	}
	res, err := s.index.Lookup(r)
	if err != nil {
		return true
	}
	n := len(res.Rules)
	ast.IndexResultPool.Put(res)
	return n > 0
}
