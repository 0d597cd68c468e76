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
	// defined memoizes ruleDefined the same way.
	defined map[string]check
	// depth counts the function definitions being read, to stop recursion.
	depth int
}

// maxCallDepth bounds how deeply the prefilter follows function calls.
const maxCallDepth = 8

func newCheckEnv(c *ast.Compiler, data map[string]any, b vigilBuiltins) *checkEnv {
	env := &checkEnv{compiler: c, data: data, builtins: map[string]builtinFunc{}, values: map[string]derived{}, defined: map[string]check{}}
	for decl, f := range b.funcs() {
		env.builtins[decl.Name] = f
	}
	return env
}
