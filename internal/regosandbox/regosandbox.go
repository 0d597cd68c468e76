// Package regosandbox holds the capabilities every Rego policy vigil loads
// is compiled with: OPA's builtins without network, environment or runtime
// access. Detections and the auto-confirmation policy run on every event
// and incident; none of them may call out, read the process's environment
// or see its configuration.
package regosandbox

import "github.com/open-policy-agent/opa/v1/ast"

// denied are the builtins left out.
var denied = map[string]bool{
	"http.send":          true,
	"net.lookup_ip_addr": true,
	"opa.runtime":        true,
}

// Denied reports whether the sandbox leaves the builtin name out.
func Denied(name string) bool { return denied[name] }

// Capabilities returns OPA's capabilities for this version without the
// denied builtins, with extra added.
func Capabilities(extra ...*ast.Builtin) *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := c.Builtins[:0:0]
	for _, b := range c.Builtins {
		if !denied[b.Name] {
			kept = append(kept, b)
		}
	}
	c.Builtins = append(kept, extra...)
	return c
}
