package harness

// The readers of /proc, tested where /proc exists: this file builds on
// Linux only, and there a missing /proc is a failure.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestReadProcSelf(t *testing.T) {
	s, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.PeakRSSByte <= 0 || s.RSSBytes <= 0 || s.PeakRSSByte < s.RSSBytes {
		t.Errorf("implausible memory %+v", s)
	}
	if s.CPUSeconds < 0 {
		t.Errorf("negative cpu %v", s.CPUSeconds)
	}
}

func TestReadMachineCPU(t *testing.T) {
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
	// Until the child has exec'd sh, its command line is this test's.
	for deadline := time.Now().Add(10 * time.Second); ; {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", kafka.Process.Pid))
		if bytes.Contains(cmdline, []byte(stack)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stand-in process's command line is still %q", cmdline)
		}
		time.Sleep(10 * time.Millisecond)
	}
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
