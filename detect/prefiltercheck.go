package detect

import (
	"regexp"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// checkEnv is what the prefilter needs to read checks: the compiled policy
// set (for the definitions of the functions rules call), its data (mounted
// at data.vigil) and vigil's builtins over that data.
type checkEnv struct {
	compiler *ast.Compiler
	data     map[string]any
	builtins map[string]builtinFunc
	// values memoizes ruleValue by rule path; a nil entry is a rule whose
	// value the prefilter cannot compute, or one being read.
	values map[string]derived
	// defined memoizes ruleDefined the same way.
	defined map[string]check
	// need is the set's input paths: a path outside it is absent from the
	// input (nil: every path is in it).
	need *pathSet
	// slots counts the per-event memo slots handed out by ruleValue and
	// funcValue.
	slots int
	// objects memoizes ruleObject (nil: not an input object); calls
	// memoizes funcValue by function and constant arguments.
	objects map[string]ast.Ref
	calls   map[string]derived
	// depth counts the function definitions being read, to stop recursion.
	depth int
}

// maxCallDepth bounds how deeply the prefilter follows function calls.
const maxCallDepth = 8

func newCheckEnv(c *ast.Compiler, data map[string]any, b vigilBuiltins, need *pathSet) *checkEnv {
	env := &checkEnv{compiler: c, data: data, builtins: map[string]builtinFunc{}, values: map[string]derived{},
		defined: map[string]check{}, need: need, objects: map[string]ast.Ref{}, calls: map[string]derived{}}
	for decl, f := range b.funcs() {
		env.builtins[decl.Name] = f
	}
	return env
}

// derived computes one value from an event: an input field, a rule of the
// policies whose value is computed from input fields (lib.cmdline, the
// command line in lower case), or a literal. v is nil when the value is
// undefined; known is false when the prefilter cannot tell.
type derived func(r *eventResolver) (v ast.Value, known bool)

func constant(v ast.Value) derived {
	return func(*eventResolver) (ast.Value, bool) { return v, true }
}

// bodyScope follows a compiled rule body expression by expression, as OPA
// evaluates it: what each local variable holds, when the prefilter can
// compute it from the event.
type bodyScope struct {
	env  *checkEnv
	vals map[ast.Var]derived
	// iters are variables that range over the values of a constant
	// collection (some m in markers).
	iters map[ast.Var][]ast.Value
	// consts are variables bound to a constant: a literal, the policy
	// data, a rule whose value is a literal.
	consts map[ast.Var]ast.Value
	// whole are variables bound to the whole input.
	whole map[ast.Var]bool
	// objs are variables bound to the input object at a path, or {} when
	// the input has nothing there (object.get(input, path, {})).
	objs map[ast.Var]ast.Ref
	// seen are the variables of the expressions read so far: only a
	// variable not seen before is bound by "=", any other is compared.
	seen map[ast.Var]bool
}

// bodyChecks returns the checks a compiled rule body makes at its top
// level that the prefilter can do from the event. It follows the body as
// OPA evaluates it: bindings of input fields, of constants and of values
// computed with lower, upper and object.get (also through the rules and
// functions the body reads); comparisons with literals (==, =, in); tests
// with contains, startswith, endswith, regex.match and the affix builtins;
// lookups in constants with computed keys; vigil's builtins; the
// definedness of the rules and functions it calls; not input.x. Each
// check is a necessary condition of the body and answers "may hold" when
// it cannot tell; everything else is left to the evaluation.
//
// The expressions in skip are read for their bindings only: the prefilter
// already tests them as literal tests of indexed fields.
func (env *checkEnv) bodyChecks(body ast.Body, skip map[*ast.Expr]bool) []check {
	sc := env.newScope()
	var out []check
	for _, expr := range body {
		if c := sc.step(expr); c != nil && !skip[expr] {
			out = append(out, c)
		}
	}
	return out
}

func (env *checkEnv) newScope() *bodyScope {
	return &bodyScope{env: env, vals: map[ast.Var]derived{}, iters: map[ast.Var][]ast.Value{},
		consts: map[ast.Var]ast.Value{}, whole: map[ast.Var]bool{}, objs: map[ast.Var]ast.Ref{}, seen: map[ast.Var]bool{}}
}

// step reads one expression: it records what a binding binds and returns
// the check a condition makes, if any.
func (sc *bodyScope) step(expr *ast.Expr) check {
	defer ast.WalkVars(expr, func(v ast.Var) bool {
		sc.seen[v] = true
		return false
	})
	if len(expr.With) > 0 {
		return nil
	}
	if t, isTerm := expr.Terms.(*ast.Term); isTerm {
		if expr.Negated {
			return sc.negatedCheck(t)
		}
		return sc.termCheck(t)
	}
	if expr.Negated || !expr.IsCall() {
		return nil
	}
	op, args := expr.Operator(), expr.Operands()
	switch name := op.String(); {
	case op.Equal(equalityRef) && len(args) == 2:
		for i := range args {
			if v, ok := args[i].Value.(ast.Var); ok && !sc.seen[v] {
				return sc.bind(v, args[1-i])
			}
		}
		return sc.equalCheck(args[0], args[1])
	case op.Equal(equalRef) && len(args) == 2:
		return sc.equalCheck(args[0], args[1])
	case op.Equal(memberRef) && len(args) == 2:
		return sc.matchLiterals(args[0], args[1])
	case (name == ast.Lower.Name || name == ast.Upper.Name) && len(args) == 2:
		if out, ok := sc.output(args[1]); ok {
			sc.vals[out] = changeCase(sc.value(args[0]), name == ast.Lower.Name)
		}
	case name == ast.ObjectGet.Name && len(args) == 4:
		if out, ok := sc.output(args[3]); ok {
			sc.vals[out] = sc.objectGet(args[0], args[1], args[2])
			if p, isObj := sc.inputObject(args[0], args[1], args[2]); isObj {
				sc.objs[out] = p
			}
		}
	case (name == ast.Contains.Name || name == ast.StartsWith.Name || name == ast.EndsWith.Name) && len(args) == 2:
		return sc.stringCheck(name, args[0], args[1])
	case name == ast.RegexMatch.Name && len(args) == 2:
		return sc.regexCheck(args[0], args[1])
	case (name == ast.AnyPrefixMatch.Name || name == ast.AnySuffixMatch.Name) && len(args) == 2:
		return sc.affixCheck(name == ast.AnySuffixMatch.Name, args[0], args[1])
	case sc.env.builtins[name] != nil && len(args) == 2:
		return sc.builtinCheck(sc.env.builtins[name], args[0], args[1])
	case op.HasPrefix(ast.DefaultRootRef):
		c := sc.callDefined(op, args)
		if n := len(args) - 1; n > 0 {
			if out, ok := sc.output(args[n]); ok {
				sc.vals[out] = sc.funcValue(op, args[:n])
			}
		}
		return c
	}
	return nil
}

// output returns the variable a call binds its result to, when it is not
// bound yet.
func (sc *bodyScope) output(t *ast.Term) (ast.Var, bool) {
	v, ok := t.Value.(ast.Var)
	return v, ok && !sc.seen[v]
}

// bind records what v = t binds v to, and returns the check that the
// binding succeeds: t is defined.
func (sc *bodyScope) bind(v ast.Var, t *ast.Term) check {
	if isInputRoot(t.Value) {
		sc.whole[v] = true
		return nil
	}
	if ref, ok := t.Value.(ast.Ref); ok && ref.IsGround() && ref.HasPrefix(ast.DefaultRootRef) {
		if p, isObj := sc.env.ruleObject(ref); isObj {
			sc.objs[v] = p
		}
	} else if x, ok := t.Value.(ast.Var); ok {
		if p, isObj := sc.objs[x]; isObj {
			sc.objs[v] = p
		}
	}
	if c, ok := sc.env.constantOf(t); ok {
		sc.consts[v] = c
		sc.vals[v] = constant(c)
		return nil
	}
	if d := sc.value(t); d != nil {
		sc.vals[v] = d
		return definedCheck(d)
	}
	if values := sc.env.collectionValues(t); values != nil {
		sc.iters[v] = values
		return nil
	}
	if ref, ok := t.Value.(ast.Ref); ok && ref.IsGround() && ref.HasPrefix(ast.DefaultRootRef) {
		return sc.env.ruleDefined(ref)
	}
	return nil
}

// definedCheck holds unless d is undefined for the event.
func definedCheck(d derived) check {
	return func(r *eventResolver) bool {
		v, known := d(r)
		return !known || v != nil
	}
}

// termCheck is the check of a term used as a condition: it holds when the
// term is defined and not false.
func (sc *bodyScope) termCheck(t *ast.Term) check {
	if d := sc.value(t); d != nil {
		return func(r *eventResolver) bool {
			v, known := d(r)
			return !known || (v != nil && v.Compare(ast.Boolean(false)) != 0)
		}
	}
	if ref, ok := t.Value.(ast.Ref); ok && ref.IsGround() && ref.HasPrefix(ast.DefaultRootRef) {
		return sc.env.ruleDefined(ref)
	}
	return nil
}

// negatedCheck is the check of "not input.x": it holds when the field is
// undefined or false. Only input fields are read: a value computed through
// a rule leaves the rule's conditions out, so it cannot say the rule is
// undefined.
func (sc *bodyScope) negatedCheck(t *ast.Term) check {
	path := inputRef(t)
	if path == nil {
		return nil
	}
	return func(r *eventResolver) bool {
		v, known := r.direct(path)
		return !known || v == nil || v.Compare(ast.Boolean(false)) == 0
	}
}

// builtinCheck is a call of one of vigil's builtins on a value of the
// event and a constant: it holds when the result is not false.
func (sc *bodyScope) builtinCheck(f builtinFunc, a, b *ast.Term) check {
	d := sc.value(a)
	c, ok := sc.constant(b)
	if d == nil || !ok || isScalar(a.Value) {
		return nil
	}
	list := ast.NewTerm(c)
	return matchCheck(d, []ast.Value{c}, func(v, _ ast.Value) bool {
		out, err := f(ast.NewTerm(v), list)
		return err != nil || out.Value.Compare(ast.Boolean(false)) != 0
	})
}

// constant returns the value of t when it is the same for every event.
func (sc *bodyScope) constant(t *ast.Term) (ast.Value, bool) {
	if v, ok := t.Value.(ast.Var); ok {
		c, found := sc.consts[v]
		return c, found
	}
	return sc.env.constantOf(t)
}

// callDefined is the check that a call of the policy function op with
// args (its arguments, and maybe the variable its value is bound to) is
// defined: one of its definitions, or of their else branches, can hold
// for the arguments. Each definition is read with its parameters bound to
// the arguments the prefilter can compute; one from which no check comes,
// or a default, makes the call uncheckable.
func (sc *bodyScope) callDefined(op ast.Ref, args []*ast.Term) check {
	env := sc.env
	rules := env.compiler.GetRulesExact(op)
	if len(rules) == 0 || env.depth >= maxCallDepth {
		return nil
	}
	params := len(rules[0].Head.Args)
	if params == 0 || (len(args) != params && len(args) != params+1) {
		return nil
	}
	env.depth++
	defer func() { env.depth-- }()
	var defs [][]check
	for _, r := range rules {
		if r.Default || len(r.Head.Args) != params {
			return nil
		}
		for def := r; def != nil; def = def.Else {
			inner := env.newScope()
			head := def.Head.Args
			if len(head) != params {
				head = r.Head.Args // an else branch may leave its parameters to the rule's head
			}
			if _, _, ok := sc.bindParams(inner, head, args); !ok {
				return nil
			}
			var conj []check
			for _, expr := range def.Body {
				if c := inner.step(expr); c != nil {
					conj = append(conj, c)
				}
			}
			if len(conj) == 0 {
				return nil
			}
			defs = append(defs, conj)
		}
	}
	return anyOf(defs)
}

// bindParams binds the parameters of a definition, in inner, to the
// arguments of a call read in sc: constants, and values the prefilter can
// compute; the others stay unknown. ok is false when a parameter is not a
// variable; known is false when some argument stays unknown. consts lists
// the arguments when all are constants ("" otherwise), to memoize by.
func (sc *bodyScope) bindParams(inner *bodyScope, params, args []*ast.Term) (consts string, known, ok bool) {
	allConst := true
	known = true
	for i, p := range params {
		pv, isVar := p.Value.(ast.Var)
		if !isVar {
			return "", false, false
		}
		inner.seen[pv] = true
		if c, isConst := sc.constant(args[i]); isConst {
			inner.consts[pv], inner.vals[pv] = c, constant(c)
			consts += "|" + c.String()
			continue
		}
		allConst = false
		if d := sc.value(args[i]); d != nil {
			inner.vals[pv] = d
		} else {
			known = false
		}
	}
	if !allConst {
		consts = ""
	}
	return consts, known, true
}

// ruleDefined is the check that the complete rule at ref is defined: one
// of its definitions, or of their else branches, can hold. Nil when the
// prefilter cannot tell (a default, a definition it reads nothing from,
// a partial rule, which is always defined).
func (env *checkEnv) ruleDefined(ref ast.Ref) check {
	key := ref.String()
	if c, ok := env.defined[key]; ok {
		return c
	}
	env.defined[key] = nil // while it is read
	rules := env.compiler.GetRulesExact(ref)
	if len(rules) == 0 || env.depth >= maxCallDepth {
		return nil
	}
	env.depth++
	defer func() { env.depth-- }()
	var defs [][]check
	for _, r := range rules {
		if r.Default || len(r.Head.Args) > 0 || r.Head.Key != nil || r.Head.Value == nil {
			return nil
		}
		for def := r; def != nil; def = def.Else {
			conj := env.bodyChecks(def.Body, nil)
			if len(conj) == 0 {
				return nil
			}
			defs = append(defs, conj)
		}
	}
	c := anyOf(defs)
	env.defined[key] = c
	return c
}

// anyOf holds when every check of one of defs holds.
func anyOf(defs [][]check) check {
	if len(defs) == 0 {
		return nil
	}
	return func(r *eventResolver) bool {
		for _, conj := range defs {
			all := true
			for _, c := range conj {
				if !c(r) {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
		return false
	}
}

// value returns how to compute t from the event, or nil.
func (sc *bodyScope) value(t *ast.Term) derived {
	switch x := t.Value.(type) {
	case ast.String, ast.Number, ast.Boolean, ast.Null:
		return constant(x)
	case ast.Var:
		return sc.vals[x]
	case ast.Ref:
		if path := inputRef(t); path != nil {
			return sc.env.field(path)
		}
		if c, ok := sc.env.constantOf(t); ok {
			return constant(c)
		}
		if x.IsGround() && x.HasPrefix(ast.DefaultRootRef) {
			return sc.env.ruleValue(x)
		}
		return sc.lookup(x)
	}
	return nil
}

// lookup is a reference into a constant with keys computed from the event
// (data.vigil.threat_intel.ips[ip], table[tenant][key]): undefined when a
// key is absent. Nil when the reference is not of that form.
func (sc *bodyScope) lookup(ref ast.Ref) derived {
	var base ast.Value
	var rest ast.Ref
	if v, ok := ref[0].Value.(ast.Var); ok && !ref.HasPrefix(ast.DefaultRootRef) {
		c, isConst := sc.consts[v]
		if !isConst {
			return nil
		}
		base, rest = c, ref[1:]
	} else {
		for i := len(ref) - 1; i >= 2 && base == nil; i-- {
			if ref[:i].IsGround() {
				if c, ok := sc.env.constantDoc(ref[:i]); ok {
					base, rest = c, ref[i:]
				}
			}
		}
	}
	if base == nil || len(rest) == 0 {
		return nil
	}
	keys := make([]derived, len(rest))
	for i, k := range rest {
		if isScalar(k.Value) {
			keys[i] = constant(k.Value)
		} else if v, ok := k.Value.(ast.Var); ok && sc.vals[v] != nil {
			keys[i] = sc.vals[v]
		} else {
			return nil
		}
	}
	return func(r *eventResolver) (ast.Value, bool) {
		cur := base
		for _, key := range keys {
			k, known := key(r)
			if !known {
				return nil, false
			}
			if k == nil {
				return nil, true
			}
			obj, ok := cur.(ast.Object)
			if !ok {
				return nil, false
			}
			t := obj.Get(ast.NewTerm(k))
			if t == nil {
				return nil, true
			}
			cur = t.Value
		}
		return cur, true
	}
}

// affixCheck is strings.any_prefix_match (any_suffix_match with suffix) of
// a value of the event and a constant string or collection of strings.
func (sc *bodyScope) affixCheck(suffix bool, a, b *ast.Term) check {
	d := sc.value(a)
	var base ast.Value
	if v, ok := b.Value.(ast.Var); ok {
		base = sc.consts[v]
	} else if c, ok := sc.env.constantOf(b); ok {
		base = c
	}
	if d == nil || base == nil || isScalar(a.Value) {
		return nil
	}
	var affixes []ast.Value
	if s, ok := base.(ast.String); ok {
		affixes = []ast.Value{s}
	} else if affixes = sc.literals(base); len(affixes) == 0 {
		return nil
	}
	match := strings.HasPrefix
	if suffix {
		match = strings.HasSuffix
	}
	return matchCheck(d, affixes, func(v, w ast.Value) bool {
		s, isStr := v.(ast.String)
		affix, affixStr := w.(ast.String)
		// A collection of search strings, or a non-string: the evaluation
		// decides.
		return !isStr || !affixStr || match(string(s), string(affix))
	})
}

// constantOf returns the value of t when it is the same for every event:
// a ground literal, a document of the policy data under data.vigil, or a
// rule whose value is a literal.
func (env *checkEnv) constantOf(t *ast.Term) (ast.Value, bool) {
	switch x := t.Value.(type) {
	case ast.Ref:
		if !x.IsGround() || !x.HasPrefix(ast.DefaultRootRef) {
			return nil, false
		}
		return env.constantDoc(x)
	case ast.Var, ast.Call:
		return nil, false
	}
	if t.IsGround() {
		return t.Value, true
	}
	return nil, false
}

// constantDoc returns the document at a ground data reference when it is
// policy data or a rule whose value is a literal.
func (env *checkEnv) constantDoc(ref ast.Ref) (ast.Value, bool) {
	if rules := env.compiler.GetRulesExact(ref); len(rules) > 0 {
		r := rules[0]
		if len(rules) != 1 || r.Default || r.Else != nil || len(r.Head.Args) > 0 || r.Head.Key != nil ||
			r.Head.Value == nil || !r.Head.Value.IsGround() || !r.Body.Equal(ast.NewBody(ast.NewExpr(ast.BooleanTerm(true)))) {
			return nil, false
		}
		return r.Head.Value.Value, true
	}
	vigilRoot := ast.DefaultRootRef.Append(ast.StringTerm("vigil"))
	if !ref.HasPrefix(vigilRoot) || len(env.compiler.GetRules(ref)) > 0 {
		return nil, false
	}
	keys, ok := constPath(ast.NewArray(ref[len(vigilRoot):]...))
	if !ok {
		return nil, false
	}
	cur, ok := lookupKeys(env.data, keys)
	if !ok {
		return nil, false
	}
	v, err := ast.InterfaceToValue(cur)
	return v, err == nil
}

// literals returns the values t stands for when it is a scalar literal, a
// literal set or array of scalars, or a variable ranging over a constant
// collection; nil otherwise.
func (sc *bodyScope) literals(t ast.Value) []ast.Value {
	switch x := t.(type) {
	case ast.Var:
		if c, ok := sc.consts[x]; ok {
			return sc.literals(c)
		}
		return sc.iters[x]
	case ast.Set, *ast.Array:
		return scalarElements(x)
	}
	if isScalar(t) {
		return []ast.Value{t}
	}
	return nil
}

// scalarElements returns the elements of an array or set, or the values of
// an object, when all are scalars; nil otherwise.
func scalarElements(v ast.Value) []ast.Value {
	var out []ast.Value
	ok := true
	add := func(e *ast.Term) {
		if isScalar(e.Value) {
			out = append(out, e.Value)
		} else {
			ok = false
		}
	}
	switch c := v.(type) {
	case *ast.Array:
		c.Foreach(add)
	case ast.Set:
		c.Foreach(add)
	case ast.Object:
		c.Foreach(func(_, v *ast.Term) { add(v) })
	}
	if !ok || len(out) == 0 {
		return nil
	}
	return out
}

func isScalar(v ast.Value) bool {
	switch v.(type) {
	case ast.String, ast.Number, ast.Boolean, ast.Null:
		return true
	}
	return false
}

// equalCheck is the check that a value of the event equals the literal,
// or one of the literals, on the other side (a = "x", "x" == a).
func (sc *bodyScope) equalCheck(a, b *ast.Term) check {
	if c := sc.matchLiterals(a, b); c != nil {
		return c
	}
	return sc.matchLiterals(b, a)
}

// matchLiterals is the check that the value x of the event equals one of
// the literals lits stands for (a in {"x", "y"}); nil when x is not a
// value of the event or lits no literals.
func (sc *bodyScope) matchLiterals(x, lits *ast.Term) check {
	if isScalar(x.Value) {
		return nil
	}
	d, ws := sc.value(x), sc.literals(lits.Value)
	if d == nil || ws == nil {
		return nil
	}
	return matchCheck(d, ws, func(v, w ast.Value) bool { return v.Compare(w) == 0 })
}

// matchCheck holds when match(v, w) for the value v of d and one of ws.
// An undefined value matches nothing.
func matchCheck(d derived, ws []ast.Value, match func(v, w ast.Value) bool) check {
	if len(ws) == 0 {
		return nil
	}
	return func(r *eventResolver) bool {
		v, known := d(r)
		if !known {
			return true
		}
		if v == nil {
			return false
		}
		for _, w := range ws {
			if match(v, w) {
				return true
			}
		}
		return false
	}
}

// stringCheck is contains, startswith or endswith of a value of the event
// and a literal, or any value of a constant collection.
func (sc *bodyScope) stringCheck(name string, a, b *ast.Term) check {
	d, needles := sc.value(a), sc.literals(b.Value)
	if d == nil || needles == nil || isScalar(a.Value) {
		return nil
	}
	var f func(s, sub string) bool
	switch name {
	case ast.Contains.Name:
		f = strings.Contains
	case ast.StartsWith.Name:
		f = strings.HasPrefix
	default:
		f = strings.HasSuffix
	}
	return matchCheck(d, needles, func(v, w ast.Value) bool {
		s, isStr := v.(ast.String)
		sub, subStr := w.(ast.String)
		// A non-string operand is an error OPA reports as undefined; the
		// evaluation decides.
		return !isStr || !subStr || f(string(s), string(sub))
	})
}

// regexCheck is regex.match of a literal pattern and a value of the event.
// OPA compiles patterns with Go's regexp, so the prefilter's match is the
// evaluation's.
func (sc *bodyScope) regexCheck(pattern, a *ast.Term) check {
	p, ok := pattern.Value.(ast.String)
	d := sc.value(a)
	if !ok || d == nil || isScalar(a.Value) {
		return nil
	}
	re, err := regexp.Compile(string(p))
	if err != nil {
		return nil
	}
	return matchCheck(d, []ast.Value{p}, func(v, _ ast.Value) bool {
		s, isStr := v.(ast.String)
		return !isStr || re.MatchString(string(s))
	})
}

// changeCase is lower or upper of d.
func changeCase(d derived, lower bool) derived {
	if d == nil {
		return nil
	}
	return func(r *eventResolver) (ast.Value, bool) {
		v, known := d(r)
		if !known || v == nil {
			return v, known
		}
		s, ok := v.(ast.String)
		if !ok {
			return nil, false
		}
		if lower {
			return ast.String(strings.ToLower(string(s))), true
		}
		return ast.String(strings.ToUpper(string(s))), true
	}
}

// objectGet is object.get(input, path, default) with a constant path.
func (sc *bodyScope) objectGet(base, path, def *ast.Term) derived {
	ref, ok := sc.getPath(base, path)
	if !ok || !def.IsGround() {
		return nil
	}
	fallback := def.Value
	return func(r *eventResolver) (ast.Value, bool) {
		v, known := r.direct(ref)
		if !known {
			return nil, false
		}
		if v == nil {
			return fallback, true
		}
		return v, true
	}
}

// getPath returns the input path object.get(base, path, ...) reads, when
// base is the input or an input object (see objs) and path is constant.
// Reading the input there gives object.get's value: an input object that
// is absent is {}, which has no key, so the default applies either way.
func (sc *bodyScope) getPath(base, path *ast.Term) (ast.Ref, bool) {
	var prefix ast.Ref
	switch {
	case isInputRoot(base.Value):
	default:
		v, ok := base.Value.(ast.Var)
		if !ok {
			return nil, false
		}
		if p, isObj := sc.objs[v]; isObj {
			prefix = p
		} else if !sc.whole[v] {
			return nil, false
		}
	}
	keyTerm := path
	if c, ok := sc.constant(path); ok {
		keyTerm = ast.NewTerm(c)
	}
	keys, ok := constPath(keyTerm.Value)
	if !ok || len(keys) == 0 {
		return nil, false
	}
	ref := make(ast.Ref, 0, len(prefix)+len(keys))
	ref = append(ref, prefix...)
	for _, k := range keys {
		ref = append(ref, ast.StringTerm(k))
	}
	return ref, true
}

// inputObject reports whether object.get(base, path, def) is an input
// object with {} as its default, and its path.
func (sc *bodyScope) inputObject(base, path, def *ast.Term) (ast.Ref, bool) {
	obj, ok := def.Value.(ast.Object)
	if !ok || obj.Len() != 0 {
		return nil, false
	}
	return sc.getPath(base, path)
}

// ruleObject reports whether the complete rule at ref is an input object
// (event_data := object.get(input, ["winlog", "event_data"], {})), and its
// path.
func (env *checkEnv) ruleObject(ref ast.Ref) (ast.Ref, bool) {
	key := ref.String()
	if p, ok := env.objects[key]; ok {
		return p, p != nil
	}
	env.objects[key] = nil
	rules := env.compiler.GetRulesExact(ref)
	if len(rules) != 1 {
		return nil, false
	}
	r := rules[0]
	if r.Default || r.Else != nil || len(r.Head.Args) > 0 || r.Head.Key != nil || r.Head.Value == nil {
		return nil, false
	}
	sc := env.newScope()
	for _, expr := range r.Body {
		sc.step(expr)
	}
	v, ok := r.Head.Value.Value.(ast.Var)
	if !ok {
		return nil, false
	}
	p, ok := sc.objs[v]
	if ok {
		env.objects[key] = p
	}
	return p, ok
}

// funcValue returns how to compute the value of a call of the function op
// with args from the event, or nil: a function with one definition, read
// with its parameters bound to the arguments (lib.ed("ShareName")). As
// with ruleValue, the definition's conditions are left out. Calls with
// constant arguments are computed once per event.
func (sc *bodyScope) funcValue(op ast.Ref, args []*ast.Term) derived {
	env := sc.env
	rules := env.compiler.GetRulesExact(op)
	if len(rules) != 1 || env.depth >= maxCallDepth {
		return nil
	}
	r := rules[0]
	if r.Default || r.Else != nil || len(r.Head.Args) != len(args) || r.Head.Value == nil {
		return nil
	}
	env.depth++
	defer func() { env.depth-- }()
	inner := env.newScope()
	consts, known, ok := sc.bindParams(inner, r.Head.Args, args)
	if !ok || !known {
		return nil
	}
	key := ""
	if consts != "" {
		key = op.String() + consts
	}
	for _, expr := range r.Body {
		inner.step(expr)
	}
	d := inner.value(r.Head.Value)
	if d == nil || key == "" {
		return d
	}
	if m, ok := env.calls[key]; ok {
		return m
	}
	d = memoized(d, env.slots)
	env.slots++
	env.calls[key] = d
	return d
}

// ruleValue returns how to compute the value of the complete rule at ref
// from the event, or nil. Conditions in the rule's body are left out: if
// they fail, the rule is undefined and so is every expression that reads
// it, whatever a check of the computed value answers.
func (env *checkEnv) ruleValue(ref ast.Ref) derived {
	key := ref.String()
	if d, ok := env.values[key]; ok {
		return d
	}
	env.values[key] = nil // while it is read: a rule that reads itself gets nil
	rules := env.compiler.GetRulesExact(ref)
	if len(rules) != 1 {
		return nil
	}
	r := rules[0]
	if r.Default || r.Else != nil || len(r.Head.Args) > 0 || r.Head.Key != nil || r.Head.Value == nil {
		return nil
	}
	sc := env.newScope()
	for _, expr := range r.Body {
		sc.step(expr)
	}
	d := sc.value(r.Head.Value)
	if d != nil {
		d = memoized(d, env.slots)
		env.slots++
	}
	env.values[key] = d
	return d
}

// memoized is d computed once per event: several rules read lib.cmdline.
func memoized(d derived, slot int) derived {
	return func(r *eventResolver) (ast.Value, bool) {
		if slot >= len(r.memo) {
			r.memo = append(r.memo, make([]memoSlot, slot+1-len(r.memo))...)
		}
		m := &r.memo[slot]
		if m.epoch != r.epoch {
			m.v, m.known = d(r)
			m.epoch = r.epoch
		}
		return m.v, m.known
	}
}

// field returns how to read the input field at path: straight from the
// event struct for an indexed ECS field, else as the rule index does.
func (env *checkEnv) field(path ast.Ref) derived {
	if f, ok := indexedFields[dotted(path)]; ok {
		if !env.wants(path) {
			return constant(nil) // absent from the input
		}
		return func(r *eventResolver) (ast.Value, bool) {
			if s := f(r.ev); s != "" {
				return ast.String(s), true
			}
			return nil, true
		}
	}
	return func(r *eventResolver) (ast.Value, bool) { return r.direct(path) }
}

// wants reports whether the input built for the set holds path.
func (env *checkEnv) wants(path ast.Ref) bool {
	n := env.need
	if n == nil {
		return true
	}
	for _, t := range path {
		var ok bool
		if n, ok = n.want(string(t.Value.(ast.String))); !ok {
			return false
		}
	}
	return true
}

// collectionValues returns the values over which a variable bound to t
// ranges when t iterates a constant collection of scalars: a rule whose
// value is a literal (markers := ["a", "b"]) or an array or object of the
// policy data, indexed by a variable. Nil otherwise.
func (env *checkEnv) collectionValues(t *ast.Term) []ast.Value {
	ref, ok := t.Value.(ast.Ref)
	if !ok || len(ref) < 2 || !ref.HasPrefix(ast.DefaultRootRef) {
		return nil
	}
	if _, isVar := ref[len(ref)-1].Value.(ast.Var); !isVar {
		return nil
	}
	coll := ref[:len(ref)-1]
	if !coll.IsGround() {
		return nil
	}
	value, ok := env.constantDoc(coll)
	if !ok {
		return nil
	}
	return scalarElements(value)
}

// isInputRoot reports whether x is the whole input (input, as a variable
// or as a reference of length one).
func isInputRoot(x ast.Value) bool {
	return x.Compare(ast.InputRootDocument.Value) == 0 || x.Compare(ast.InputRootRef) == 0
}
