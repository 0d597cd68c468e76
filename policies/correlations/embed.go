// Package correlations carries vigil's correlation rules into the binary:
// the *.yaml files of this directory, read by correlate.LoadRules(FS, ".").
// README.md describes the rule format and the correlation semantics.
package correlations

import "embed"

// FS holds the rule files and README.md.
//
//go:embed *.yaml README.md
var FS embed.FS
