package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/bench/harness"
	"github.com/vigil-soc/vigil/internal/testenv"
)

// TestBenchEndToEnd runs the benchmark small on the real servers: one vigil
// process with the whole detection library works off a generated backlog of
// 120 000 records (attack scenarios included, event times days old). A
// backlog is where the suppression and correlation bugs that a live trickle
// never shows were found, so the run must pass the harness's correctness
// checks: every record stored or dead-lettered, every completed scenario
// instance found with its alerts and incidents, no suppressed alert
// restarting its count, no incident listing an alert twice. Its speed is
// not checked.
func TestBenchEndToEnd(t *testing.T) {
	testenv.Kafka(t)
	testenv.ClickHouse(t)
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "vigil")
	build := exec.Command("go", "build", "-o", bin, "./cmd/vigil")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build vigil: %v\n%s", err, out)
	}
	lib, err := harness.LibraryDetections(filepath.Join(root, "policies"))
	if err != nil || len(lib) == 0 {
		t.Fatalf("detection library: %d detections, %v", len(lib), err)
	}
	stackDir := filepath.Join(root, ".local", "stack")
	if d := os.Getenv("VIGIL_STACK_DIR"); d != "" {
		stackDir = d
	}
	outDir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code, err := run(ctx, []string{
		"--config", filepath.Join(root, "deploy", "local", "vigil.yaml"),
		"--policies", filepath.Join(root, "policies"),
		"--vigil", bin,
		"--events", "120000",
		"--detections", strconv.Itoa(len(lib)),
		"--latency-detections", strconv.Itoa(len(lib)),
		"--skip-ceiling", "--skip-latency",
		"--run-timeout", "5m",
		"--stack-run-dir", filepath.Join(stackDir, "run"),
		"--out", outDir,
	}, &stdout, &stderr)
	if err != nil || code != 0 {
		t.Fatalf("vigil-bench exit %d: %v\n%s\n%s", code, err, stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(outDir, "latest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res harness.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	// The library run, then the same set with the vendor namespaces in
	// doc only, which must raise the same alerts.
	if len(res.Vigil) != 2 {
		t.Fatalf("%d vigil runs in the result, want 2", len(res.Vigil))
	}
	if v := res.Vigil[1].Variant; res.Vigil[0].Variant != "" || v != "storage.vendor_fields=doc" {
		t.Fatalf("variants %q and %q, want none and storage.vendor_fields=doc", res.Vigil[0].Variant, v)
	}
	for _, r := range res.Vigil {
		if r.Status != "PASS" || r.Counts.Lost != 0 || r.IncidentsRepeatingAlerts != 0 || r.AlertsRestarted != 0 || r.AlertsMissing != 0 ||
			r.Scenarios == nil || !r.Scenarios.Enforced || r.Scenarios.Expected == 0 || len(r.Scenarios.Missing) != 0 {
			t.Fatalf("run %+v, scenarios %+v", r, r.Scenarios)
		}
		t.Logf("%s: %.0f events/s, %d alerts, %d incidents, %d scenario instances found", r.Name, r.EventsPerSecond, r.Alerts, r.Incidents, r.Scenarios.Expected)
	}
}
