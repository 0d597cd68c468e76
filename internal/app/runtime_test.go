package app

import (
	"fmt"
	"strings"
	"testing"
)

func TestRuntimeSettings(t *testing.T) {
	const gib = int64(1) << 30
	noCgroup := func() (int64, bool) { return 0, false }
	cgroup8G := func() (int64, bool) { return 8 * gib, true }
	tests := []struct {
		name      string
		cfg       RuntimeConfig
		env       map[string]string
		limit     func() (int64, bool)
		wantGC    int
		wantLimit int64
	}{
		{"defaults without a cgroup limit", RuntimeConfig{}, nil, noCgroup, 200, -1},
		{"defaults in a container", RuntimeConfig{}, nil, cgroup8G, 200, 8 * gib * 9 / 10},
		{"explicit values", RuntimeConfig{GCPercent: 150, MemoryLimit: "6GiB"}, nil, cgroup8G, 150, 6 * gib},
		{"limit off", RuntimeConfig{MemoryLimit: "off"}, nil, cgroup8G, 200, -1},
		{"GOGC and GOMEMLIMIT win", RuntimeConfig{GCPercent: 150, MemoryLimit: "6GiB"},
			map[string]string{"GOGC": "100", "GOMEMLIMIT": "2GiB"}, cgroup8G, 0, -1},
		{"empty environment variables do not count", RuntimeConfig{},
			map[string]string{"GOGC": "", "GOMEMLIMIT": ""}, noCgroup, 200, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.SetDefaults()
			if ps := cfg.Validate(); len(ps) > 0 {
				t.Fatalf("valid config rejected: %v", ps)
			}
			s := cfg.settings(lookupFrom(tt.env), tt.limit)
			if s.gcPercent != tt.wantGC || s.memoryLimit != tt.wantLimit {
				t.Errorf("gc_percent %d, memory limit %d; want %d, %d", s.gcPercent, s.memoryLimit, tt.wantGC, tt.wantLimit)
			}
			if len(s.why) != 4 {
				t.Errorf("start-up log attributes %v, want gc_percent and memory_limit", s.why)
			}
		})
	}
}

func TestRuntimeConfigProblems(t *testing.T) {
	tests := []struct {
		cfg  RuntimeConfig
		want string
	}{
		{RuntimeConfig{GCPercent: -5}, "runtime.gc_percent"},
		{RuntimeConfig{MemoryLimit: "lots"}, "runtime.memory_limit"},
		{RuntimeConfig{MemoryLimit: "NaNGiB"}, "runtime.memory_limit"},
		{RuntimeConfig{MemoryLimit: "-1GiB"}, "runtime.memory_limit"},
		{RuntimeConfig{GCPercent: -1, MemoryLimit: "off"}, "runtime.gc_percent"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.cfg), func(t *testing.T) {
			tt.cfg.SetDefaults()
			ps := tt.cfg.Validate()
			if len(ps) != 1 || ps[0].Path != tt.want {
				t.Errorf("problems %v, want one at %s", ps, tt.want)
			}
		})
	}
}

func TestParseByteSize(t *testing.T) {
	tests := map[string]int64{
		"512MiB": 512 << 20, "6GiB": 6 << 30, "1.5GiB": 3 << 29, "2GB": 2e9, "100KB": 1e5,
		"1048576": 1 << 20, "64B": 64, " 3 GiB ": 3 << 30,
	}
	for in, want := range tests {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "GiB", "0", "-3MiB", "1e400GiB", "12 parsecs"} {
		if _, err := parseByteSize(bad); err == nil || !strings.Contains(err.Error(), "is not a size") {
			t.Errorf("parseByteSize(%q) = %v, want an error", bad, err)
		}
	}
}

func TestParseCgroupLimit(t *testing.T) {
	for in, want := range map[string]int64{"max\n": 0, "": 0, "8589934592\n": 8 << 30, "garbage": 0, "9223372036854771712": 9223372036854771712} {
		got, ok := parseCgroupLimit(in)
		if got != want || ok != (want != 0) {
			t.Errorf("parseCgroupLimit(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}
