package detect

import (
	"reflect"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/vigil-soc/vigil/event"
)

// compiledRules compiles bodies as the finding rules of one package and
// returns them compiled, as the prefilter reads them.
func compiledRules(t *testing.T, bodies ...string) []*ast.Rule {
	t.Helper()
	src := "package p\n\n"
	for _, b := range bodies {
		src += "f contains 1 if {\n" + b + "\n}\n\n"
	}
	c := newCompiler()
	c.Compile(map[string]*ast.Module{"p.rego": ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})})
	if c.Failed() {
		t.Fatalf("compile %s: %v", src, c.Errors)
	}
	return c.GetRulesExact(ast.MustParseRef("data.p.f"))
}

func TestLiteralTests(t *testing.T) {
	cases := []struct {
		name, body string
		want       map[string][]string // path → values
	}{
		{"equality", `input.event.code == "4624"`, map[string][]string{"event.code": {"4624"}}},
		{"reversed", `"4624" == input.event.code`, map[string][]string{"event.code": {"4624"}}},
		{"unification", `input.event.code = "4624"`, map[string][]string{"event.code": {"4624"}}},
		{"set", `input.event.action in {"a", "b"}`, map[string][]string{"event.action": {"a", "b"}}},
		{"array", `input.event.action in ["a", "b"]`, map[string][]string{"event.action": {"a", "b"}}},
		{"two fields", "input.event.dataset == \"zeek.dns\"\ninput.dns.question.type in {\"TXT\", \"NULL\"}",
			map[string][]string{"event.dataset": {"zeek.dns"}, "dns.question.type": {"NULL", "TXT"}}},
		{"negated", `not input.event.action == "a"`, map[string][]string{}},
		{"function of the field", `lower(input.user.name) == "root"`, map[string][]string{}},
		{"number", `input.event.code == 4624`, map[string][]string{}},
		{"empty string", `input.event.code == ""`, map[string][]string{}},
		{"mixed set", `input.event.code in {"4624", 4625}`, map[string][]string{}},
		{"vendor field", `input.winlog.event_data.LogonType == "3"`, map[string][]string{}},
		{"local from data", "x := data.lists.names\ninput.user.name == x", map[string][]string{}},
		{"in a comprehension", `count([1 | input.event.action == "a"]) > 0`, map[string][]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rules := compiledRules(t, c.body)
			tests, paths := literalTests(rules[0])
			got := map[string][]string{}
			for i, p := range paths {
				vals := append([]string(nil), tests[i].values...)
				slices.Sort(vals)
				got[p] = vals
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("tests of %q = %v, want %v", c.body, got, c.want)
			}
		})
	}
}

func TestPrefilter(t *testing.T) {
	ev := func(dataset, action, code string) *event.Event {
		var e event.Event
		e.Event.Dataset, e.Event.Action, e.Event.Code = dataset, action, code
		return &e
	}
	rules := compiledRules(t,
		"input.event.dataset == \"windows.security\"\ninput.event.code in {\"4624\", \"4625\"}",
		"input.event.dataset == \"o365.audit\"\ninput.event.action == \"New-InboxRule\"",
		`input.event.dataset == "zeek.dns"`,
	)
	p := newPrefilter(rules)
	if p == nil {
		t.Fatal("no prefilter")
	}
	cases := []struct {
		ev   *event.Event
		want bool
	}{
		{ev("windows.security", "", "4625"), true},
		{ev("windows.security", "", "4688"), false},
		{ev("windows.sysmon", "", "4624"), false}, // a test of one rule holds, the other not
		{ev("o365.audit", "New-InboxRule", ""), true},
		{ev("o365.audit", "FileAccessed", ""), false},
		{ev("zeek.dns", "query", ""), true},
		{ev("zeek.conn", "", ""), false},
		{ev("", "", ""), false},
	}
	for _, c := range cases {
		if got := p.mayMatch(c.ev); got != c.want {
			t.Errorf("mayMatch(%s %s %s) = %v, want %v", c.ev.Event.Dataset, c.ev.Event.Action, c.ev.Event.Code, got, c.want)
		}
	}
	// A rule that tests no indexed field may match any event.
	if p := newPrefilter(append(rules, compiledRules(t, `startswith(input.process.name, "x")`)...)); p != nil {
		t.Fatal("prefilter built over a rule without literal tests")
	}
}
