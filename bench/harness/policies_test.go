package harness

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-soc/vigil/detect"
)

const libraryDir = "../../policies"

func TestVariant(t *testing.T) {
	src := `# x
package vigil.detections.aws.thing

metadata := {
	"id": "aws-thing",
	"severity": "high",
}

finding contains {"fields": {"n": 1}} if {
	input.event.dataset == "aws.cloudtrail"
	input.event.action in {"StopLogging", "DeleteTrail"}
}
`
	got, ok := Variant([]byte(src), 3)
	if !ok {
		t.Fatal("no variant")
	}
	s := string(got)
	for _, want := range []string{
		"package vigil.detections.aws.thing_bv3\n",
		`"id": "aws-thing-bv3"`,
		`input.event.dataset == "aws.cloudtrail"`,
		`{"StopLogging#bench_bv3", "DeleteTrail#bench_bv3"}`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("variant lacks %q:\n%s", want, s)
		}
	}
	if _, ok := Variant([]byte("package p\nmetadata := {\"id\": \"x\"}\n"), 1); ok {
		t.Error("variant of a rule without key literal")
	}
}

// TestBuildPolicySet builds sets of the real library and loads each into
// the real engine, which compiles every module and runs the Rego tests and
// fixtures of what it finds.
func TestBuildPolicySet(t *testing.T) {
	lib, err := LibraryDetections(libraryDir)
	if err != nil || len(lib) == 0 {
		t.Fatalf("read the detection library: %v", err)
	}
	for _, n := range []int{0, 3, len(lib), len(lib) + 25} {
		dst := t.TempDir()
		ps, err := BuildPolicySet(libraryDir, dst, n)
		if err != nil {
			t.Fatalf("build %d: %v", n, err)
		}
		if ps.Detections != n || ps.Library != min(n, len(lib)) || len(ps.IDs) != ps.Library {
			t.Errorf("set of %d: %+v", n, ps)
		}
		got, err := LibraryDetections(dst)
		if err != nil || len(got) != n {
			t.Fatalf("set of %d holds %d detections (%v)", n, len(got), err)
		}
		if _, err := os.Stat(filepath.Join(dst, "lib")); err != nil {
			t.Errorf("set of %d has no lib/: %v", n, err)
		}
		if testing.Short() {
			continue
		}
		ctx := context.Background()
		e, err := detect.New(ctx, detect.Config{PolicyDir: dst}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			t.Fatalf("engine rejects the set of %d: %v", n, err)
		}
		if len(e.Detections()) != n {
			t.Errorf("engine loaded %d detections of the set of %d", len(e.Detections()), n)
		}
	}
}
