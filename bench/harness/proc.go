package harness

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// userHZ is the unit of utime and stime in /proc/<pid>/stat. The kernel
// reports them in USER_HZ, which is 100 on every Linux ABI Go supports
// (sysconf(_SC_CLK_TCK)), whatever CONFIG_HZ the kernel was built with.
const userHZ = 100

// ProcSample is one reading of a process's resource use.
type ProcSample struct {
	CPUSeconds  float64 // user + system time consumed so far
	RSSBytes    int64   // VmRSS: resident set now
	PeakRSSByte int64   // VmHWM: the resident set's high-water mark
}

// ReadProc reads /proc/<pid>/stat and /proc/<pid>/status.
func ReadProc(pid int) (ProcSample, error) {
	var s ProcSample
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("read stat of %d: %w", pid, err)
	}
	if s.CPUSeconds, err = parseStatCPU(stat); err != nil {
		return s, fmt.Errorf("parse stat of %d: %w", pid, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("read status of %d: %w", pid, err)
	}
	s.RSSBytes, s.PeakRSSByte, err = parseStatusMemory(status)
	if err != nil {
		return s, fmt.Errorf("parse status of %d: %w", pid, err)
	}
	return s, nil
}

// parseStatCPU returns utime+stime in seconds. The command name (field 2)
// may hold spaces and parentheses, so fields are counted from the last ')'.
func parseStatCPU(stat []byte) (float64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("no ')' in %q", stat)
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields after the command name, want at least 13", len(f))
	}
	ut, err := strconv.ParseUint(f[11], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("utime: %w", err)
	}
	st, err := strconv.ParseUint(f[12], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stime: %w", err)
	}
	return float64(ut+st) / userHZ, nil
}

// parseStatusMemory returns VmRSS and VmHWM in bytes.
func parseStatusMemory(status []byte) (rss, hwm int64, err error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	var seen int
	for sc.Scan() {
		line := sc.Text()
		var dst *int64
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			dst = &rss
		case strings.HasPrefix(line, "VmHWM:"):
			dst = &hwm
		default:
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != "kB" {
			return 0, 0, fmt.Errorf("unexpected line %q", line)
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", f[0], err)
		}
		*dst = kb << 10
		seen++
	}
	if seen != 2 {
		return 0, 0, fmt.Errorf("VmRSS or VmHWM missing")
	}
	return rss, hwm, nil
}

// ReadMachineCPU returns the CPU time the whole machine has been busy
// since boot, summed over its CPUs: every process (vigil, Kafka,
// ClickHouse, the harness) and the kernel. With the stack on the same
// machine, the difference over a run is what its events cost in all.
func ReadMachineCPU() (float64, error) {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("read /proc/stat: %w", err)
	}
	return parseMachineCPU(stat)
}

// parseMachineCPU sums the busy fields of the aggregate "cpu" line of
// /proc/stat: all but idle and iowait, and without guest and guest_nice,
// which user and nice already include.
func parseMachineCPU(stat []byte) (float64, error) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("first line of /proc/stat is %q, want the cpu totals", line)
	}
	var busy uint64
	for i, v := range f[1:9] { // user nice system idle iowait irq softirq steal
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat cpu field %d: %w", i+1, err)
		}
		if i == 3 || i == 4 {
			continue // idle, iowait
		}
		busy += n
	}
	return float64(busy) / userHZ, nil
}

// StackProcesses names the local stack's server processes by their pid
// files in dir (deploy/local/stack's run directory): kafka and clickhouse.
// A pid file that is missing, or names a process that is not the stack's
// (its command line does not name the stack's directory, as a recycled pid
// would not), is left out.
func StackProcesses(dir string) map[string]int {
	out := map[string]int{}
	stackDir, err := filepath.Abs(filepath.Dir(dir))
	if err != nil {
		return out
	}
	for name, file := range map[string]string{"kafka": "kafka.pid", "clickhouse": "clickhouse-engine.pid"} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			continue
		}
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err == nil && bytes.Contains(cmdline, []byte(stackDir)) {
			out[name] = pid
		}
	}
	return out
}

// CPUMeter measures the CPU time the whole machine and each of a set of
// processes spend between Start and Stop.
type CPUMeter struct {
	pids    map[string]int
	machine float64
	procs   map[string]float64
	err     error
}

// StartCPUMeter takes the first reading.
func StartCPUMeter(pids map[string]int) *CPUMeter {
	m := &CPUMeter{pids: pids, procs: map[string]float64{}}
	m.machine, m.err = ReadMachineCPU()
	for name, pid := range pids {
		if s, err := ReadProc(pid); err == nil {
			m.procs[name] = s.CPUSeconds
		}
	}
	return m
}

// Stop returns the machine's CPU seconds since Start (0 when /proc/stat
// could not be read) and each process's. A process that is gone or was
// replaced (its time went down) is left out.
func (m *CPUMeter) Stop() (machine float64, procs map[string]float64) {
	if end, err := ReadMachineCPU(); err == nil && m.err == nil {
		machine = end - m.machine
	}
	procs = map[string]float64{}
	for name, start := range m.procs {
		if s, err := ReadProc(m.pids[name]); err == nil && s.CPUSeconds >= start {
			procs[name] = s.CPUSeconds - start
		}
	}
	return machine, procs
}
