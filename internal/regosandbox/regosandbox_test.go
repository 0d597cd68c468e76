package regosandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

func TestCapabilities(t *testing.T) {
	extra := &ast.Builtin{Name: "vigil.test_only", Decl: types.NewFunction(types.Args(types.S), types.B)}
	for _, tc := range []struct {
		name, body string
		ok         bool
	}{
		{"plain builtins stay", `x := lower("A")`, true},
		{"extra builtins are declared", `x := vigil.test_only("a")`, true},
		{"no http.send", `x := http.send({"method": "get", "url": "http://127.0.0.1:1"})`, false},
		{"no DNS", `x := net.lookup_ip_addr("example.com")`, false},
		{"no environment", `x := opa.runtime().env`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "package p\n" + tc.body + "\n"
			_, err := rego.New(rego.Query("data.p"), rego.Module("p.rego", src),
				rego.Capabilities(Capabilities(extra))).PrepareForEval(context.Background())
			if tc.ok && err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "undefined function")) {
				t.Fatalf("error %v, want undefined function", err)
			}
		})
	}
	if !Denied("http.send") || Denied("lower") {
		t.Error("Denied disagrees with the capabilities")
	}
}
