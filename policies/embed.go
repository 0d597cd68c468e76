// Package policies carries vigil's detection library into the binary: the
// Rego detections under detections/, shared helpers under lib/, the lookup
// data under data/ (mounted as data.vigil.*) and the fixtures under
// fixtures/ that the detect package replays through the engine in its
// tests. README.md describes the conventions for policy authors.
package policies

import "embed"

// FS holds the detection library: README.md, detections/, lib/, data/ and
// fixtures/.
//
//go:embed README.md detections lib data fixtures
var FS embed.FS
