package detect

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/vigil-soc/vigil/event"
)

// prefilter rules out, from the event struct alone, the events no finding
// rule can match. It holds what every rule body demands of the indexed ECS
// fields: the top-level tests of a field against string literals
// (input.event.action == "x", input.event.code in {"4624", "4625"}). An
// event that fails one of each rule's tests cannot satisfy any rule, so it
// is not evaluated and OPA's rule index is not consulted for it: the trie
// walk costs as much as an evaluation that finds nothing, and about half
// a realistic stream is such events.
//
// A rule whose only literal test is broad (event.dataset == "zeek.conn",
// event.code in {"1", "4688"}) would let its whole source through, so the
// prefilter also reads checks it cannot file rules under: the other
// conditions of the body it can compute from the event in Go, such as
// contains(lib.cmdline, "lsass") or lib.bad_ip(input.destination.ip) (see
// checkEnv.bodyChecks). Network telemetry and process starts are most of a
// stream, and threat intel or a credential-dumping pattern matches almost
// none of it.
//
// The tests are necessary conditions, not all of them: a rule may demand
// more (a split, a count, an iteration), which the evaluation checks.
// So the prefilter never drops an event a rule can match; it only lets
// through some that the evaluation then rules out.
type prefilter struct {
	rules []ruleTests
	// pivots lists the fields that rules are filed under, each with
	// the rules filed by value: each rule is filed under one of its tests
	// (the most selective field), once per value that test allows.
	pivots []pivot
}

type pivot struct {
	field  eventField
	byWant map[string][]int // value → rules
}

// fieldTest holds when field's value is one of values.
type fieldTest struct {
	field  eventField
	values []string
}

func (t fieldTest) holds(ev *event.Event) bool {
	v := t.field(ev)
	for _, w := range t.values {
		if v == w {
			return true
		}
	}
	return false
}

// check is a necessary condition of a rule on one event that cannot be
// filed by value: it answers true when it cannot tell.
type check func(r *eventResolver) bool

type ruleTests struct {
	fields []fieldTest
	checks []check
}

// broadFields are tests shared by whole sources; a rule is filed under one
// of them only when it tests nothing narrower.
var broadFields = map[string]bool{
	"event.dataset": true, "event.module": true, "event.kind": true, "event.outcome": true,
	"organization.id": true, "cloud.provider": true, "event.provider": true,
}

// newPrefilter reads the tests of rules; nil when some rule tests no
// indexed field against literals, since every event may then match it.
// env, when not nil, lets it read the checks too.
func newPrefilter(rules []*ast.Rule, env *checkEnv) *prefilter {
	if len(rules) == 0 {
		return nil
	}
	p := &prefilter{rules: make([]ruleTests, len(rules))}
	byPath := map[string]int{} // pivot field path → index in pivots
	for i, r := range rules {
		tests, paths, checks := readTests(r, env)
		if len(tests) == 0 {
			return nil
		}
		p.rules[i] = ruleTests{fields: tests, checks: checks}
		pick := 0
		for j, path := range paths {
			if !broadFields[path] {
				pick = j
				break
			}
		}
		k, ok := byPath[paths[pick]]
		if !ok {
			k = len(p.pivots)
			byPath[paths[pick]] = k
			p.pivots = append(p.pivots, pivot{field: tests[pick].field, byWant: map[string][]int{}})
		}
		for _, v := range tests[pick].values {
			p.pivots[k].byWant[v] = append(p.pivots[k].byWant[v], i)
		}
	}
	return p
}

// mayMatch reports whether some rule's tests all hold for the event of r.
func (p *prefilter) mayMatch(r *eventResolver) bool {
	for i := range p.pivots {
		pv := &p.pivots[i]
		for _, k := range pv.byWant[pv.field(r.ev)] {
			if p.rules[k].hold(r) {
				return true
			}
		}
	}
	return false
}

// hold runs the literal tests first: they cost a comparison, a check may
// cost a lookup or the parse of a vendor field.
func (ts *ruleTests) hold(r *eventResolver) bool {
	for _, t := range ts.fields {
		if !t.holds(r.ev) {
			return false
		}
	}
	for _, c := range ts.checks {
		if !c(r) {
			return false
		}
	}
	return true
}

var (
	memberRef   = ast.Member.Ref()
	equalRef    = ast.Equal.Ref()    // ==
	equalityRef = ast.Equality.Ref() // =, and the compiler's bindings
)

// literalTests returns the tests a compiled rule body makes at its top
// level of indexed input fields against non-empty string literals, and the
// fields' paths. The compiler binds input references to local variables
// first (__local1__ = input.event.code; internal.member_2(__local1__, {...})),
// so those bindings are followed. Negated expressions, expressions with
// "with", and anything nested are left out: they do not have to hold for
// the body to.
func literalTests(r *ast.Rule) ([]fieldTest, []string) {
	tests, paths, _ := readTests(r, nil)
	return tests, paths
}

// readTests returns literalTests and, with env, the checks of the body
// (see checkEnv.bodyChecks).
func readTests(r *ast.Rule, env *checkEnv) ([]fieldTest, []string, []check) {
	var tests []fieldTest
	var paths []string
	bound := map[ast.Var]ast.Ref{}  // local variable → input path it holds
	covered := map[*ast.Expr]bool{} // expressions read as field tests
	refOf := func(t *ast.Term) ast.Ref {
		if v, ok := t.Value.(ast.Var); ok {
			return bound[v]
		}
		return inputRef(t)
	}
	for _, expr := range r.Body {
		if expr.Negated || len(expr.With) > 0 || !expr.IsCall() {
			continue
		}
		op, args := expr.Operator(), expr.Operands()
		if len(args) != 2 {
			continue
		}
		var ref ast.Ref
		var lits *ast.Term
		switch {
		case op.Equal(memberRef):
			ref, lits = refOf(args[0]), args[1]
		case op.Equal(equalityRef):
			// A binding, or a unification with a literal.
			for i, t := range args {
				v, isVar := t.Value.(ast.Var)
				if p := inputRef(args[1-i]); isVar && p != nil {
					bound[v] = p
				}
			}
			fallthrough
		case op.Equal(equalRef):
			if ref, lits = refOf(args[0]), ast.ArrayTerm(args[1]); ref == nil {
				ref, lits = refOf(args[1]), ast.ArrayTerm(args[0])
			}
		}
		if ref == nil {
			continue
		}
		path := dotted(ref)
		if field, ok := indexedFields[path]; ok {
			if values := stringLiterals(lits); len(values) > 0 {
				tests = append(tests, fieldTest{field: field, values: values})
				paths = append(paths, path)
				covered[expr] = true
			}
		}
	}
	var checks []check
	if env != nil {
		checks = env.bodyChecks(r.Body, covered)
	}
	return tests, paths, checks
}

// inputRef returns the path a.b of the term input.a.b, else nil.
func inputRef(t *ast.Term) ast.Ref {
	ref, ok := t.Value.(ast.Ref)
	if !ok || len(ref) < 2 || !ref[0].Equal(ast.InputRootDocument) {
		return nil
	}
	for _, p := range ref[1:] {
		if _, ok := p.Value.(ast.String); !ok {
			return nil
		}
	}
	return ref[1:]
}

// dotted returns "a.b" for the path a.b of inputRef.
func dotted(path ast.Ref) string {
	var b strings.Builder
	for i, p := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(string(p.Value.(ast.String)))
	}
	return b.String()
}

// stringLiterals returns the elements of a literal set or array when all
// are non-empty strings, else nil. An empty string never matches: the
// policy input leaves empty fields out.
func stringLiterals(t *ast.Term) []string {
	var out []string
	ok := true
	add := func(e *ast.Term) {
		s, isStr := e.Value.(ast.String)
		if !isStr || s == "" {
			ok = false
			return
		}
		out = append(out, string(s))
	}
	switch v := t.Value.(type) {
	case ast.Set:
		v.Foreach(add)
	case *ast.Array:
		v.Foreach(add)
	default:
		return nil
	}
	if !ok {
		return nil
	}
	return out
}

// unprefilteredRules returns the generated finding rules the prefilter
// cannot read; any one turns it off.
func (s *policySet) unprefilteredRules() []*ast.Rule {
	var out []*ast.Rule
	for _, r := range s.compiler.GetRulesExact(aggregateRef) {
		if tests, _ := literalTests(r); len(tests) == 0 {
			out = append(out, r)
		}
	}
	return out
}

// unprefilteredDetections returns the ids of the detections with a finding
// rule the prefilter cannot read.
func (s *policySet) unprefilteredDetections() []string {
	var ids []string
	seen := map[string]bool{}
	for _, r := range s.unprefilteredRules() {
		if i, ok := s.detectionOf(r); ok && !seen[s.dets[i].ID] {
			seen[s.dets[i].ID] = true
			ids = append(ids, s.dets[i].ID)
		}
	}
	slices.Sort(ids)
	return ids
}
