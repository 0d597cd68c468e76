package detect

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// vigilBuiltins are the builtins vigil adds to Rego, over the lookup data of
// one policy set: vigil.in_networks and vigil.in_domains. Both answer from
// an index of the data instead of iterating a list in Rego.
type vigilBuiltins struct {
	networks networkLists
	domains  *domainLists
}

// vigilBuiltinDecls declares the builtins to the compiler.
var vigilBuiltinDecls = []*ast.Builtin{inNetworksDecl, inDomainsDecl}

func newVigilBuiltins(data map[string]any) vigilBuiltins {
	return vigilBuiltins{networks: findNetworkLists(data), domains: newDomainLists(data)}
}

type builtinFunc func(a, b *ast.Term) (*ast.Term, error)

// stringOperands is f on a builtin's two operands, false unless both are
// strings.
func stringOperands(a, b *ast.Term, f func(a, b string) bool) (*ast.Term, error) {
	x, okA := a.Value.(ast.String)
	y, okB := b.Value.(ast.String)
	return ast.BooleanTerm(okA && okB && f(string(x), string(y))), nil
}

func (b vigilBuiltins) funcs() map[*ast.Builtin]builtinFunc {
	return map[*ast.Builtin]builtinFunc{
		inNetworksDecl: b.networks.match,
		inDomainsDecl:  b.domains.match,
	}
}

// topdown returns the implementations for queries run with topdown.
func (b vigilBuiltins) topdown() map[string]*topdown.Builtin {
	out := map[string]*topdown.Builtin{}
	for decl, f := range b.funcs() {
		out[decl.Name] = &topdown.Builtin{
			Decl: decl,
			Func: func(_ topdown.BuiltinContext, ops []*ast.Term, iter func(*ast.Term) error) error {
				t, err := f(ops[0], ops[1])
				if err != nil {
					return err
				}
				return iter(t)
			},
		}
	}
	return out
}

// rego returns the implementations as rego options.
func (b vigilBuiltins) rego() []func(*rego.Rego) {
	var out []func(*rego.Rego)
	for _, t := range b.tester() {
		out = append(out, t.Func)
	}
	return out
}

// tester returns the implementations for the Rego test runner.
func (b vigilBuiltins) tester() []*tester.Builtin {
	var out []*tester.Builtin
	for decl, f := range b.funcs() {
		out = append(out, &tester.Builtin{Decl: decl, Func: rego.Function2(&rego.Function{Name: decl.Name, Decl: decl.Decl},
			func(_ rego.BuiltinContext, x, y *ast.Term) (*ast.Term, error) { return f(x, y) })})
	}
	return out
}
