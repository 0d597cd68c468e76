package app

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// RuntimeConfig tunes the Go garbage collector.
//
// vigil allocates per event (parsed fields, policy input, column buffers)
// and holds whole batches while they are detected and stored, so the
// collector's default pace (a cycle each time the heap doubles) spends a
// tenth of the pipeline's CPU on marking. A higher gc_percent trades heap
// for CPU; the memory limit makes the collector work harder again before
// the heap reaches what the container allows.
type RuntimeConfig struct {
	// GCPercent is GOGC: a collection is triggered when the heap has grown
	// by this percentage since the last one; default 200 (Go's is 100).
	// The GOGC environment variable, when set, wins.
	GCPercent int `yaml:"gc_percent"`
	// MemoryLimit is the Go runtime's soft memory limit (GOMEMLIMIT):
	// "auto" (default) is 90% of the cgroup's memory limit when vigil runs
	// under one and no limit otherwise; "off" is no limit; or a size such
	// as 6GiB or 512MiB. The GOMEMLIMIT environment variable, when set,
	// wins.
	MemoryLimit string `yaml:"memory_limit"`
}

const (
	defaultGCPercent = 200
	memoryLimitAuto  = "auto"
	memoryLimitOff   = "off"
	// cgroupMemoryMax is the cgroup v2 memory limit of the process's
	// cgroup as seen from inside a container.
	cgroupMemoryMax = "/sys/fs/cgroup/memory.max"
	// autoLimitShare of the cgroup limit: the rest is for memory the Go
	// runtime does not count (thread stacks, the binary) and headroom.
	autoLimitShare = 0.9
)

// SetDefaults fills unset settings.
func (c *RuntimeConfig) SetDefaults() {
	if c.GCPercent == 0 {
		c.GCPercent = defaultGCPercent
	}
	if c.MemoryLimit == "" {
		c.MemoryLimit = memoryLimitAuto
	}
}

// Validate reports settings that cannot be applied.
func (c *RuntimeConfig) Validate() []Problem {
	var ps []Problem
	if c.GCPercent < -1 {
		ps = append(ps, Problem{Path: "runtime.gc_percent", Message: fmt.Sprintf("%d is not a percentage (or -1 for off)", c.GCPercent)})
	}
	if c.MemoryLimit != memoryLimitAuto && c.MemoryLimit != memoryLimitOff {
		if _, err := parseByteSize(c.MemoryLimit); err != nil {
			ps = append(ps, Problem{Path: "runtime.memory_limit", Message: err.Error()})
		}
	}
	if c.GCPercent == -1 && c.MemoryLimit == memoryLimitOff {
		ps = append(ps, Problem{Path: "runtime.gc_percent", Message: "-1 (collector off) needs a memory limit, or the heap grows without bound"})
	}
	return ps
}

// runtimeSettings is what applyRuntime sets; a negative memory limit or a
// gcPercent of 0 leaves the runtime's own value.
type runtimeSettings struct {
	gcPercent   int
	memoryLimit int64
	// why says where each value came from, for the start-up log.
	why []any
}

// settings decides the collector settings from the configuration, the
// environment and the cgroup limit (readLimit returns false when there is
// none).
func (c RuntimeConfig) settings(lookup func(string) (string, bool), readLimit func() (int64, bool)) runtimeSettings {
	s := runtimeSettings{memoryLimit: -1}
	if v, ok := lookup("GOGC"); ok && v != "" {
		s.why = append(s.why, "gc_percent", "GOGC="+v)
	} else {
		s.gcPercent = c.GCPercent
		s.why = append(s.why, "gc_percent", c.GCPercent)
	}
	if v, ok := lookup("GOMEMLIMIT"); ok && v != "" {
		s.why = append(s.why, "memory_limit", "GOMEMLIMIT="+v)
		return s
	}
	switch c.MemoryLimit {
	case memoryLimitOff:
		s.why = append(s.why, "memory_limit", "off")
	case memoryLimitAuto:
		if n, ok := readLimit(); ok {
			s.memoryLimit = int64(float64(n) * autoLimitShare)
			s.why = append(s.why, "memory_limit", fmt.Sprintf("%d MiB (%.0f%% of the cgroup's %d MiB)", s.memoryLimit>>20, 100*autoLimitShare, n>>20))
		} else {
			s.why = append(s.why, "memory_limit", "off (no cgroup memory limit)")
		}
	default:
		n, _ := parseByteSize(c.MemoryLimit) // validated
		s.memoryLimit = n
		s.why = append(s.why, "memory_limit", c.MemoryLimit)
	}
	return s
}

// applyRuntime sets the collector's pace and memory limit for the process.
func applyRuntime(c RuntimeConfig, logger *slog.Logger) {
	s := c.settings(os.LookupEnv, cgroupMemoryLimit)
	if s.gcPercent != 0 {
		debug.SetGCPercent(s.gcPercent)
	}
	if s.memoryLimit >= 0 {
		debug.SetMemoryLimit(s.memoryLimit)
	}
	logger.Info("garbage collector", s.why...)
}

// cgroupMemoryLimit reads the cgroup v2 memory limit; false when there is
// none ("max") or no cgroup v2 file.
func cgroupMemoryLimit() (int64, bool) {
	b, err := os.ReadFile(cgroupMemoryMax)
	if err != nil {
		return 0, false
	}
	return parseCgroupLimit(string(b))
}

func parseCgroupLimit(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "max" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n == math.MaxInt64 {
		return 0, false
	}
	return n, true
}

// parseByteSize reads a size such as 512MiB, 6GiB, 2GB or 1048576 (bytes).
func parseByteSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
	}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(n) || n <= 0 || math.IsInf(n, 0) || n*float64(mult) >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size such as 512MiB or 6GiB", s)
	}
	return int64(n * float64(mult)), nil
}
