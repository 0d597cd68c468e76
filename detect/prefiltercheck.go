package detect

import (
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
}

func newCheckEnv(c *ast.Compiler, data map[string]any, b vigilBuiltins) *checkEnv {
	env := &checkEnv{compiler: c, data: data, builtins: map[string]builtinFunc{}, values: map[string]derived{}}
	for decl, f := range b.funcs() {
		env.builtins[decl.Name] = f
	}
	return env
}

// callCheck returns the check that the policy function op, called as a
// condition with the value arg of the event as its only argument, can hold,
// or nil. It reads the function's definitions: the call holds only if one
// of them does, so each must be a lookup of its argument the prefilter
// can do itself:
//
//	bad_ip(ip) if data.vigil.threat_intel.ips[ip]
//	bad_ip(ip) if vigil.in_networks(ip, "threat_intel.cidrs")
//
// Other conditions of a definition are left out (they can only make it
// fail); a definition with no lookup, a default, an else, or a value
// other than true makes the call uncheckable.
func (env *checkEnv) callCheck(op ast.Ref, arg derived) check {
	if env.compiler == nil || arg == nil || !op.HasPrefix(ast.DefaultRootRef) {
		return nil
	}
	rules := env.compiler.GetRulesExact(op)
	if len(rules) == 0 {
		return nil
	}
	var defs [][]argTest // one conjunction per definition
	for _, r := range rules {
		if r.Default || r.Else != nil || len(r.Head.Args) != 1 {
			return nil
		}
		if r.Head.Value != nil && !r.Head.Value.Equal(ast.BooleanTerm(true)) {
			return nil
		}
		param, ok := r.Head.Args[0].Value.(ast.Var)
		if !ok {
			return nil
		}
		var conj []argTest
		for _, expr := range r.Body {
			if t := env.argTest(expr, param); t != nil {
				conj = append(conj, t)
			}
		}
		if len(conj) == 0 {
			return nil
		}
		defs = append(defs, conj)
	}
	return func(r *eventResolver) bool {
		v, known := arg(r)
		if !known {
			return true
		}
		if v == nil {
			return false // a call with an undefined argument is undefined
		}
		for _, conj := range defs {
			if allHold(conj, v) {
				return true
			}
		}
		return false
	}
}

// argTest is a condition on a function's argument.
type argTest func(arg ast.Value) bool

func allHold(conj []argTest, v ast.Value) bool {
	for _, t := range conj {
		if !t(v) {
			return false
		}
	}
	return true
}

// argTest returns the test expr makes of param when it is a lookup the
// prefilter can do, else nil:
//
//	data.vigil.<path>[param]                 an object of the policy data has the key
//	vigil.in_networks(param, "<list>")       vigil's builtins
//	vigil.in_domains(param, "<list>")
func (env *checkEnv) argTest(expr *ast.Expr, param ast.Var) argTest {
	if expr.Negated || len(expr.With) > 0 {
		return nil
	}
	switch terms := expr.Terms.(type) {
	case *ast.Term:
		return env.dataKeyTest(terms, param)
	case []*ast.Term:
		if !expr.IsCall() || len(terms) != 3 || terms[1].Value.Compare(param) != 0 {
			return nil
		}
		f := env.builtins[expr.Operator().String()]
		list, isStr := terms[2].Value.(ast.String)
		if f == nil || !isStr {
			return nil
		}
		lit := ast.NewTerm(list)
		return func(arg ast.Value) bool {
			out, err := f(ast.NewTerm(arg), lit)
			if err != nil {
				return true
			}
			return out.Value.Compare(ast.Boolean(false)) != 0
		}
	}
	return nil
}

// dataKeyTest returns the test of the term data.vigil.<path>[param] as a
// condition: the object of the policy data at path has the key param and
// its value is not false. Nil when path is not a constant path to an
// object of the data, or rules define documents there.
func (env *checkEnv) dataKeyTest(t *ast.Term, param ast.Var) argTest {
	ref, ok := t.Value.(ast.Ref)
	vigilRoot := ast.DefaultRootRef.Append(ast.StringTerm("vigil"))
	if !ok || len(ref) < 3 || !ref.HasPrefix(vigilRoot) || ref[len(ref)-1].Value.Compare(param) != 0 {
		return nil
	}
	objRef := ref[:len(ref)-1]
	if len(env.compiler.GetRules(objRef)) > 0 {
		return nil
	}
	var cur any = env.data
	for _, p := range objRef[len(vigilRoot):] {
		k, isStr := p.Value.(ast.String)
		m, isMap := cur.(map[string]any)
		if !isStr || !isMap {
			return nil
		}
		if cur, ok = m[string(k)]; !ok {
			return nil
		}
	}
	obj, ok := cur.(map[string]any)
	if !ok {
		return nil
	}
	return func(arg ast.Value) bool {
		s, isStr := arg.(ast.String)
		if !isStr {
			return true
		}
		v, found := obj[string(s)]
		return found && v != false
	}
}
