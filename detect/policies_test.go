package detect

import (
	"context"
	"testing"
)

// TestPolicies runs the Rego unit tests and the fixtures of the embedded
// library through the engine.
func TestPolicies(t *testing.T) {
	rep, err := RunTests(context.Background(), "")
	if err != nil {
		t.Fatalf("load policies:\n%v", err)
	}
	for _, r := range append(rep.Tests, rep.Fixtures...) {
		if !r.Pass {
			t.Errorf("%s:%d: %s: %s", r.File, r.Line, r.Name, r.Message)
		}
	}
	if len(rep.Tests) == 0 || len(rep.Fixtures) == 0 {
		t.Fatalf("ran %d Rego tests and %d fixture cases; want both", len(rep.Tests), len(rep.Fixtures))
	}
	t.Logf("%d Rego tests, %d fixture cases, %d failed", len(rep.Tests), len(rep.Fixtures), rep.Failed())
}

// TestLint requires the embedded library to lint clean: no errors, and no
// warnings either, so that a policy author running lint on it sees only
// what their own change brought.
func TestLint(t *testing.T) {
	for _, p := range Lint("") {
		t.Error(p)
	}
}
