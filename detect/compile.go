package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/cache"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/regosandbox"
)

// Detection is the metadata of one loaded detection.
type Detection struct {
	ID             string         `json:"id"`
	Title          string         `json:"title"`
	Description    string         `json:"description"`
	Severity       event.Severity `json:"severity"`
	Confidence     int            `json:"confidence"`
	RiskScore      int            `json:"risk_score"`
	Tactics        []string       `json:"tactics"`
	Techniques     []string       `json:"techniques"`
	LogSources     []string       `json:"log_sources"`
	FalsePositives []string       `json:"false_positives,omitempty"`
	References     []string       `json:"references,omitempty"`
	// Signal marks a building block: never suppressed, consumed by
	// correlation thresholds rather than shown on its own.
	Signal bool `json:"signal,omitempty"`
	// BroadIndex says why the detection's finding rules are keyed only on
	// fields whole sources share (event.dataset, event.outcome): a
	// threat-intelligence match, say, must look at every connection. It
	// answers the lint warning about such rules; the budget still applies.
	BroadIndex string `json:"broad_index,omitempty"`
	// Budget is the evaluation cost allowed per event; zero means the
	// engine default.
	Budget time.Duration `json:"-"`
	// Package is the Rego package, File and Line where it is defined.
	Package string `json:"package"`
	File    string `json:"file"`
	Line    int    `json:"line"`
}

func sandboxCapabilities() *ast.Capabilities {
	return regosandbox.Capabilities(vigilBuiltinDecls...)
}

// policySet is one compiled, immutable generation of the policies. Engine
// swaps whole sets; a Detect call uses one.
type policySet struct {
	version  string
	files    *files
	compiler *ast.Compiler
	store    storage.Store
	query    rego.PreparedEvalQuery   // every detection at once
	perDet   []rego.PreparedEvalQuery // one per detection, for error attribution and bench
	dets     []Detection              // sorted by ID
	byPkg    map[string]int           // package path → index in dets
	need     *pathSet
	cache    cache.InterQueryValueCache
	// unindexed are the finding rules OPA's rule index selects for every
	// event: their bodies run on every evaluation.
	unindexed []*ast.Rule
	// index is OPA's rule index over the generated finding rules, the one
	// evaluation consults; nil when OPA built none.
	index ast.RuleIndex
	// all is the query over every detection, compiled for topdown.
	all allQuery
	// pre rules out events before the index is asked; nil when it cannot.
	pre *prefilter
	// lookups implement vigil's builtins over the set's data; builtins
	// are their implementations for topdown queries.
	lookups  vigilBuiltins
	builtins map[string]*topdown.Builtin
	// evaluators holds the *evaluator of Detect calls done with them.
	evaluators *sync.Pool
	// counters are the per-detection series of dets, looked up once.
	counters *detectionCounters
}

func newCompiler() *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(sandboxCapabilities()).
		WithDefaultRegoVersion(ast.RegoV1).
		WithEnablePrintStatements(false)
}

// compileSet compiles f into a policy set: the modules as written (for
// tests and metadata) plus a generated package whose single partial set
// rule holds the body of every detection's finding rule, so that one
// query evaluates all detections and OPA's rule index picks the few rule
// bodies an event can satisfy.
func compileSet(ctx context.Context, label string, f *files, defaultBudget time.Duration) (*policySet, error) {
	// First compile: validate, and capture each finding rule once its
	// references are resolved to absolute data.* paths.
	findings := map[string][]*ast.Rule{}
	c1 := newCompiler().WithStageAfterID(ast.StageResolveRefs, ast.CompilerStageDefinition{
		Name:       "CaptureFindings",
		MetricName: "capture_findings",
		Stage: func(c *ast.Compiler) *ast.Error {
			for _, m := range c.Modules {
				if !isDetection(m) {
					continue
				}
				pkg := m.Package.Path.String()
				for _, r := range m.Rules {
					if r.Head.Name.String() == findingRule {
						findings[pkg] = append(findings[pkg], r.Copy())
					}
				}
			}
			return nil
		},
	})
	c1.Compile(f.modules)
	if c1.Failed() {
		return nil, astErrors(label, c1.Errors).err()
	}

	store := inmem.NewFromObjectWithOpts(map[string]any{"vigil": f.data}, inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	s := &policySet{version: f.version, files: f, store: store, byPkg: map[string]int{}, evaluators: &sync.Pool{}, counters: &detectionCounters{},
		lookups: newVigilBuiltins(f.data)}
	s.builtins = s.lookups.topdown()

	// Metadata of every detection.
	var problems errorList
	seen := map[string]string{}
	var pkgs []string
	for _, m := range f.modules {
		if isDetection(m) {
			pkgs = append(pkgs, m.Package.Path.String())
		}
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		var file string
		var line int
		for name, m := range f.modules {
			if m.Package.Path.String() == pkg {
				file, line = name, m.Package.Location.Row
				for _, r := range m.Rules {
					if r.Head.Name.String() == metadataRule {
						line = r.Location.Row
					}
				}
			}
		}
		d, err := evalMetadata(ctx, c1, store, pkg)
		where := path.Join(label, file)
		if err != nil {
			problems.add(where, line, "%v", err)
			continue
		}
		if d.ID == "" {
			problems.add(where, line, "metadata.id missing in %s", pkg)
			continue
		}
		if other, dup := seen[d.ID]; dup {
			problems.add(where, line, "detection id %q already used by %s", d.ID, other)
			continue
		}
		seen[d.ID] = pkg
		d.Package, d.File, d.Line = pkg, where, line
		if d.Budget == 0 {
			d.Budget = defaultBudget
		}
		s.dets = append(s.dets, d)
	}
	if len(problems) > 0 {
		return nil, problems.err()
	}
	sort.Slice(s.dets, func(i, j int) bool { return s.dets[i].ID < s.dets[j].ID })
	for i, d := range s.dets {
		s.byPkg[d.Package] = i
	}

	// Second compile with the aggregate.
	agg := aggregateModule(pkgs, findings)
	mods := make(map[string]*ast.Module, len(f.modules)+1)
	for k, v := range f.modules {
		mods[k] = v
	}
	mods["vigil.engine.generated.rego"] = agg
	c2 := newCompiler()
	c2.Compile(mods)
	if c2.Failed() {
		return nil, astErrors(label, c2.Errors).err()
	}
	s.compiler = c2
	s.need = inputPaths(c2.Modules)
	s.unindexed = unindexedRules(c2)
	s.index = c2.RuleIndex(ast.MustParseRef(aggregatePkg + "." + aggregateRule))
	s.pre = newPrefilter(c2.GetRulesExact(aggregateRef), newCheckEnv(c2, f.data, s.lookups, s.need))

	// Size the builtin value cache (compiled regexes, globs) well above the
	// number of patterns, so a large rule set does not thrash it.
	entries := 4*countPatterns(c2.Modules) + 256
	s.cache = cache.NewInterQueryValueCache(ctx, &cache.Config{
		InterQueryBuiltinValueCache: cache.InterQueryBuiltinValueCacheConfig{MaxNumEntries: &entries},
	})

	q, err := s.prepare(ctx, aggregatePkg+"."+aggregateRule)
	if err != nil {
		return nil, fmt.Errorf("prepare detection query: %w", err)
	}
	s.query = q
	if s.all, err = compileAllQuery(c2); err != nil {
		return nil, fmt.Errorf("compile detection query: %w", err)
	}
	s.perDet = make([]rego.PreparedEvalQuery, len(s.dets))
	for i, d := range s.dets {
		if s.perDet[i], err = s.prepare(ctx, d.Package+"."+findingRule); err != nil {
			return nil, fmt.Errorf("prepare query of %s: %w", d.ID, err)
		}
	}
	return s, nil
}

// aggregateRef is the generated rule set of every finding rule.
var aggregateRef = ast.MustParseRef(aggregatePkg + "." + aggregateRule)

// allFindingsVar is the variable the query over every detection binds the
// set of findings to.
var allFindingsVar = ast.Var("vigil_findings")

// allQuery is the query over every detection, compiled once per set.
type allQuery struct {
	body     ast.Body
	compiler ast.QueryCompiler
}

func compileAllQuery(c *ast.Compiler) (allQuery, error) {
	qc := c.QueryCompiler()
	body, err := qc.Compile(ast.NewBody(ast.Equality.Expr(ast.NewTerm(allFindingsVar), ast.MustParseTerm(aggregatePkg+"."+aggregateRule))))
	if err != nil {
		return allQuery{}, err
	}
	return allQuery{body: body, compiler: qc}, nil
}

// prepare prepares query over the set's compiled policies and data.
func (s *policySet) prepare(ctx context.Context, query string) (rego.PreparedEvalQuery, error) {
	opts := append([]func(*rego.Rego){
		rego.Query(query),
		rego.Compiler(s.compiler),
		rego.Store(s.store),
		rego.Capabilities(sandboxCapabilities()),
		rego.EnablePrintStatements(false),
	}, s.lookups.rego()...)
	return rego.New(opts...).PrepareForEval(ctx)
}

func evalMetadata(ctx context.Context, c *ast.Compiler, store storage.Store, pkg string) (Detection, error) {
	var d Detection
	rs, err := rego.New(rego.Query(pkg+"."+metadataRule), rego.Compiler(c), rego.Store(store)).Eval(ctx)
	if err != nil {
		return d, fmt.Errorf("evaluate metadata of %s: %w", pkg, err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return d, fmt.Errorf("%s has a finding rule but no metadata", pkg)
	}
	b, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		return d, err
	}
	var raw struct {
		Detection
		BudgetNS int64 `json:"budget_ns"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return d, fmt.Errorf("decode metadata of %s: %w", pkg, err)
	}
	d = raw.Detection
	d.Budget = time.Duration(raw.BudgetNS)
	return d, nil
}

// aggregateModule builds
//
//	package vigil.engine
//	findings contains [<package>, <finding key>] if { <finding body> }
//
// with one rule per finding rule of every detection.
func aggregateModule(pkgs []string, findings map[string][]*ast.Rule) *ast.Module {
	// baseline is a rule no event satisfies: its cost is the fixed cost of
	// evaluating one detection (query, rule lookup, index probe), which
	// Bench subtracts.
	mod := ast.MustParseModuleWithOpts("package vigil.engine\n\nbaseline contains 1 if input.event.code == \"\\u0000\"\n", ast.ParserOptions{RegoVersion: ast.RegoV1})
	for _, pkg := range pkgs {
		for _, r := range findings[pkg] {
			nr := ast.MustParseRuleWithOpts(aggregateRule+` contains x if { x := 1 }`, ast.ParserOptions{RegoVersion: ast.RegoV1})
			nr.Head.Key = ast.ArrayTerm(ast.StringTerm(pkg), r.Head.Key)
			nr.Head.Location = r.Head.Location
			nr.Body = r.Body
			nr.Location = r.Location
			nr.Module = mod
			mod.Rules = append(mod.Rules, nr)
		}
	}
	return mod
}

// countPatterns counts the string constants passed to regex and glob
// builtins.
func countPatterns(modules map[string]*ast.Module) int {
	n := 0
	for _, m := range modules {
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			if !e.IsCall() {
				return false
			}
			name := e.Operator().String()
			if strings.HasPrefix(name, "regex.") || strings.HasPrefix(name, "glob.") {
				n++
			}
			return false
		})
	}
	return n
}

// unmatchedInput resolves every reference to a value no policy compares
// with: an event whose every field is set, to nothing a rule looks for.
type unmatchedInput struct{}

var unmatchedValue = ast.String("\x00vigil: no rule keys on this value")

func (unmatchedInput) Resolve(ast.Ref) (ast.Value, error) { return unmatchedValue, nil }

// unindexedRules returns the generated finding rules that OPA's rule index
// cannot rule out for an event: for an event whose fields hold values no
// rule compares with, the index still selects them, because none of their
// conditions is one it can key on (a function around the field, lower()
// or contains(), not, iteration over input.x[_], a key computed by a
// helper rule).
func unindexedRules(c *ast.Compiler) []*ast.Rule {
	ref := ast.MustParseRef(aggregatePkg + "." + aggregateRule)
	idx := c.RuleIndex(ref)
	if idx == nil {
		// No index at all: every rule runs for every event.
		var all []*ast.Rule
		for _, rs := range c.GetRulesExact(ref) {
			all = append(all, rs)
		}
		return all
	}
	res, err := idx.Lookup(unmatchedInput{})
	if err != nil {
		return nil
	}
	return append([]*ast.Rule(nil), res.Rules...)
}

// detectionOf returns the index in dets of the detection a generated
// finding rule came from. The compiler rewrites a key that is not ground
// ([<package>, {"entities": {"user": input.user.name}}]) into a local
// variable, so the package is read from the key when it is still there and
// from the file the rule was written in otherwise.
func (s *policySet) detectionOf(r *ast.Rule) (int, bool) {
	pkg := ""
	if arr, ok := r.Head.Key.Value.(*ast.Array); ok && arr.Len() == 2 {
		if s, ok := arr.Elem(0).Value.(ast.String); ok {
			pkg = string(s)
		}
	}
	if pkg == "" && r.Location != nil {
		if m, ok := s.files.modules[r.Location.File]; ok {
			pkg = m.Package.Path.String()
		}
	}
	i, ok := s.byPkg[pkg]
	return i, ok
}

// unindexedDetections returns the ids of the detections with a finding
// rule the index selects for every event.
func (s *policySet) unindexedDetections() []string {
	var ids []string
	seen := map[string]bool{}
	for _, r := range s.unindexed {
		if i, ok := s.detectionOf(r); ok && !seen[s.dets[i].ID] {
			seen[s.dets[i].ID] = true
			ids = append(ids, s.dets[i].ID)
		}
	}
	sort.Strings(ids)
	return ids
}
