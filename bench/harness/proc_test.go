package harness

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
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

func TestReadProcSelf(t *testing.T) {
	s, err := ReadProc(os.Getpid())
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if s.PeakRSSByte <= 0 || s.RSSBytes <= 0 || s.PeakRSSByte < s.RSSBytes {
		t.Errorf("implausible memory %+v", s)
	}
	if s.CPUSeconds < 0 {
		t.Errorf("negative cpu %v", s.CPUSeconds)
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

func TestReadMachineCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/stat is Linux's")
	}
	a, err := ReadMachineCPU()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadMachineCPU()
	if err != nil || b < a || a <= 0 {
		t.Errorf("readings %v then %v (%v): want positive and not decreasing", a, b, err)
	}
}

func TestStackProcesses(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	stack := t.TempDir()
	run := filepath.Join(stack, "run")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	// A process whose command line names the stack directory stands for
	// Kafka; the clickhouse pid file names this test, which is not the
	// stack's (as a recycled pid would not be).
	kafka := exec.Command("sh", "-c", "sleep 30", filepath.Join(stack, "kafka.properties"))
	if err := kafka.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kafka.Process.Kill(); _ = kafka.Wait() })
	write := func(name string, pid int) {
		if err := os.WriteFile(filepath.Join(run, name), []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kafka.pid", kafka.Process.Pid)
	write("clickhouse-engine.pid", os.Getpid())
	got := StackProcesses(run)
	if len(got) != 1 || got["kafka"] != kafka.Process.Pid {
		t.Errorf("StackProcesses = %v, want only kafka = %d", got, kafka.Process.Pid)
	}
}
