package harness

import (
	"testing"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want float64
		ok   bool
	}{
		{"plain", "1234 (vigil) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 8 0 100 1000 200", 3.8, true},
		{"name with spaces and parens", "77 (a) b (c)) R 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 1 1", 0.03, true},
		{"truncated", "77 (x) R 1 1", 0, false},
		{"no name", "garbage", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tc.stat))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && got != tc.want {
				t.Errorf("cpu = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseStatusMemory(t *testing.T) {
	status := "Name:\tvigil\nVmPeak:\t  900 kB\nVmHWM:\t   2048 kB\nVmRSS:\t   1024 kB\nThreads:\t9\n"
	rss, hwm, err := parseStatusMemory([]byte(status))
	if err != nil {
		t.Fatal(err)
	}
	if rss != 1024<<10 || hwm != 2048<<10 {
		t.Errorf("rss, hwm = %d, %d", rss, hwm)
	}
	if _, _, err := parseStatusMemory([]byte("Name:\tx\n")); err == nil {
		t.Error("missing fields accepted")
	}
}

func TestParseMachineCPU(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want float64
		ok   bool
	}{
		// busy = user 300 + nice 5 + system 100 + irq 2 + softirq 3 + steal 10;
		// idle 900, iowait 50 and the guest fields are left out.
		{"kernel 6", "cpu  300 5 100 900 50 2 3 10 7 0\ncpu0 150 0 50 450 25 1 1 5 0 0\n", 4.2, true},
		{"old kernel without steal", "cpu  300 5 100 900 50 2 3\n", 0, false},
		{"not the totals", "cpu0 1 2 3 4 5 6 7 8\n", 0, false},
		{"garbage", "cpu  1 x 3 4 5 6 7 8\n", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseMachineCPU([]byte(tc.stat))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && got != tc.want {
				t.Errorf("busy = %v s, want %v", got, tc.want)
			}
		})
	}
}
