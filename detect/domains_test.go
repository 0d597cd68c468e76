package detect

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

func TestInDomains(t *testing.T) {
	lists := newDomainLists(map[string]any{"ti": map[string]any{
		"domains": map[string]any{"evil-updates.example": "malware", "C2.BadCorp.Example.": "c2"},
		"names":   []any{"phish.example"},
		"mixed":   []any{"ok.example", 3.0},
		"reason":  "not a list",
	}})
	cases := []struct {
		name, list string
		want       bool
	}{
		{"evil-updates.example", "ti.domains", true},
		{"cdn.evil-updates.example", "ti.domains", true}, // a sub-domain
		{"a.b.cdn.evil-updates.example", "ti.domains", true},
		{"WWW.Evil-Updates.Example.", "ti.domains", true}, // case, root dot
		{"c2.badcorp.example", "ti.domains", true},        // the list's own case and dot
		{"badcorp.example", "ti.domains", false},          // a parent is not listed by its child
		{"notevil-updates.example", "ti.domains", false},  // a suffix that is not a label
		{"evil-updates.example.org", "ti.domains", false},
		{"example", "ti.domains", false},
		{"", "ti.domains", false},
		{".", "ti.domains", false},
		{"x.phish.example", "ti.names", true}, // an array of names
		{"ok.example", "ti.mixed", false},     // not every element a string: not a list
		{"evil-updates.example", "ti.reason", false},
		{"evil-updates.example", "ti.missing", false},
		{"evil-updates.example", "ti.domains.evil-updates", false},
	}
	for _, c := range cases {
		got, err := lists.match(ast.StringTerm(c.name), ast.StringTerm(c.list))
		if err != nil {
			t.Fatal(err)
		}
		if got.Value.Compare(ast.Boolean(c.want)) != 0 {
			t.Errorf("vigil.in_domains(%q, %q) = %v, want %v", c.name, c.list, got, c.want)
		}
	}
	if got, _ := lists.match(ast.NumberTerm("1"), ast.StringTerm("ti.domains")); got.Value.Compare(ast.Boolean(false)) != 0 {
		t.Errorf("a number is in a domain list: %v", got)
	}
}

// The builtin is available to policies, to rego queries and to the test
// runner (a failing Rego test would reject the set), with the set's data.
func TestInDomainsInPolicies(t *testing.T) {
	dir := copyPolicies(t)
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, "lib", name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("x.rego", "package vigil.x\n\nhit if vigil.in_domains(input.name, \"threat_intel.domains\")\n")
	write("x_test.rego", "package vigil.x_test\n\nimport data.vigil.x\n\n"+
		"test_sub if x.hit with input as {\"name\": \"a.evil-updates.example\"}\n\n"+
		"test_other if not x.hit with input as {\"name\": \"evil-updates.example.org\"}\n")
	e := newTestEngine(t, Config{PolicyDir: dir})
	q, err := e.set.Load().prepare(context.Background(), "data.vigil.x.hit")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"www.EVIL-updates.example.": true, "example.org": false} {
		rs, err := q.Eval(context.Background(), rego.EvalInput(map[string]any{"name": name}))
		if err != nil {
			t.Fatal(err)
		}
		if got := len(rs) == 1 && rs[0].Expressions[0].Value == true; got != want {
			t.Errorf("vigil.in_domains(%q) through rego: %v, want %v", name, rs, want)
		}
	}

	// A failing test of the builtin rejects the set.
	write("x_test.rego", "package vigil.x_test\n\nimport data.vigil.x\n\n"+
		"test_wrong if x.hit with input as {\"name\": \"evil-updates.example.org\"}\n")
	if err := e.Reload(context.Background()); err == nil {
		t.Fatal("a set whose in_domains test fails was loaded")
	}
}

// Paths that name no list are not remembered: a policy may compute them
// from events.
func TestInDomainsForgetsMisses(t *testing.T) {
	lists := newDomainLists(map[string]any{"ti": map[string]any{"domains": []any{"evil.example"}}})
	for _, path := range []string{"ti.domains", "ti.missing", "x.y", "ti.domains.evil"} {
		lists.match(ast.StringTerm("a.evil.example"), ast.StringTerm(path))
	}
	var kept []string
	lists.lists.Range(func(k, _ any) bool { kept = append(kept, k.(string)); return true })
	if len(kept) != 1 || kept[0] != "ti.domains" {
		t.Errorf("remembered paths %v, want [ti.domains]", kept)
	}
}
