package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvDatasets names the folder of real public security telemetry the
// dataset tests read; by default it is ../shared/datasets beside the
// repository.
const EnvDatasets = "VIGIL_DATASETS"

// Datasets returns the shared datasets folder (its README.md and
// MANIFEST.jsonl describe it), or skips t when it is absent: a user's clone
// has none, CI has it.
func Datasets(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(EnvDatasets)
	if dir == "" {
		_, file, _, _ := runtime.Caller(0) // …/internal/testenv/datasets.go
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "datasets")
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		t.Skipf("datasets folder %s absent (set %s to use another)", dir, EnvDatasets)
	}
	return dir
}
