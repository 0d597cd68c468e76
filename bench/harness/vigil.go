package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// BaseConfig is vigil's YAML configuration as a generic document, so that
// the harness depends on its keys only, not on vigil's Go types.
type BaseConfig map[string]any

// LoadBaseConfig reads a vigil configuration file.
func LoadBaseConfig(path string) (BaseConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read vigil config: %w", err)
	}
	// A plain map, so that nested sections decode as map[string]any too.
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse vigil config %s: %w", path, err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return BaseConfig(m), nil
}

// Get returns the value at a dotted path ("storage.addr").
func (c BaseConfig) Get(path string) any {
	var cur any = map[string]any(c)
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// Set sets the value at a dotted path, creating sections.
func (c BaseConfig) Set(path string, v any) {
	keys := strings.Split(path, ".")
	m := map[string]any(c)
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}

// Clone deep-copies the document.
func (c BaseConfig) Clone() BaseConfig {
	b, err := yaml.Marshal(map[string]any(c))
	if err != nil {
		panic(err) // it was decoded from YAML
	}
	var out map[string]any
	if err := yaml.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return BaseConfig(out)
}

// Write writes the document to path.
func (c BaseConfig) Write(path string) error {
	b, err := yaml.Marshal(map[string]any(c))
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	return os.WriteFile(path, b, 0o600)
}

// Strings returns the string list at path, with ${VAR} expanded; a single
// string counts as a list of one.
func (c BaseConfig) Strings(path string) []string {
	var out []string
	switch v := c.Get(path).(type) {
	case string:
		out = append(out, os.ExpandEnv(v))
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, os.ExpandEnv(s))
			}
		}
	}
	return out
}

// String returns the string at path with ${VAR} expanded.
func (c BaseConfig) String(path string) string {
	s, _ := c.Get(path).(string)
	return os.ExpandEnv(s)
}

// Endpoints returns the Kafka brokers and the ClickHouse server the
// configuration names, applying the same environment overrides vigil does.
func (c BaseConfig) Endpoints() ([]string, ClickHouse) {
	brokers := c.Strings("kafka.brokers")
	if v := os.Getenv("VIGIL_KAFKA_BROKERS"); v != "" {
		brokers = splitComma(v)
	}
	if len(brokers) == 0 {
		brokers = []string{"127.0.0.1:19092"}
	}
	ch := ClickHouse{Addr: c.Strings("storage.addr"), Username: c.String("storage.username"), Password: c.String("storage.password"),
		Compression: c.String("storage.compression")}
	if v := os.Getenv("VIGIL_CLICKHOUSE_ADDR"); v != "" {
		ch.Addr = splitComma(v)
	}
	if v, ok := os.LookupEnv("VIGIL_CLICKHOUSE_USER"); ok {
		ch.Username = v
	}
	if v, ok := os.LookupEnv("VIGIL_CLICKHOUSE_PASSWORD"); ok {
		ch.Password = v
	}
	if len(ch.Addr) == 0 {
		ch.Addr = []string{"127.0.0.1:19000"}
	}
	if ch.Username == "" {
		ch.Username = "default"
	}
	return brokers, ch
}

func splitComma(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// FreePort returns a loopback address with a port that was free a moment ago.
func FreePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Process is a running vigil.
type Process struct {
	Pid     int
	Listen  string
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{}
	err     error
}

// StartVigil runs `bin run --config cfg`, its output going to logPath. The
// VIGIL_* variables that would override the per-run database and listener
// are removed from its environment.
func StartVigil(bin, cfg, listen, logPath string) (*Process, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("vigil binary: %w (build it with `make build`)", err)
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "run", "--config", cfg)
	cmd.Stdout, cmd.Stderr = logf, logf
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VIGIL_CLICKHOUSE_DATABASE=") || strings.HasPrefix(kv, "VIGIL_LISTEN=") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &Process{Pid: cmd.Process.Pid, Listen: listen, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// WaitReady polls /readyz until it answers 200.
func (p *Process) WaitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := "http://" + p.Listen + "/readyz"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("vigil exited before it was ready (%v); last log lines:\n%s", p.err, p.LogTail(20))
		case <-ctx.Done():
			return fmt.Errorf("vigil not ready on %s after %v; last log lines:\n%s", url, timeout, p.LogTail(20))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Stop sends SIGTERM and waits; after timeout it kills the process.
func (p *Process) Stop(timeout time.Duration) error {
	if p.Exited() {
		return p.err
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("vigil did not stop within %v; killed", timeout)
	}
}

// LogTail returns the last n lines of the process's output.
func (p *Process) LogTail(n int) string {
	b, _ := os.ReadFile(p.LogPath)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// MetricSum scrapes /metrics and sums the samples of every series whose
// name starts with prefix and contains substr. found is false when none is
// exposed.
func (p *Process) MetricSum(ctx context.Context, prefix, substr string) (sum float64, found bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.Listen+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, false, err
	}
	sum, found = sumMetric(body, prefix, substr)
	return sum, found, nil
}

func sumMetric(text []byte, prefix, substr string) (float64, bool) {
	var sum float64
	found := false
	for _, line := range bytes.Split(text, []byte("\n")) {
		if len(line) == 0 || line[0] == '#' || !bytes.HasPrefix(line, []byte(prefix)) {
			continue
		}
		name := line
		if i := bytes.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		if !bytes.Contains(name, []byte(substr)) {
			continue
		}
		rest := line[len(name):]
		if len(rest) > 0 && rest[0] == '{' {
			i := bytes.LastIndexByte(rest, '}')
			if i < 0 {
				continue
			}
			rest = rest[i+1:]
		}
		f := bytes.Fields(rest) // value [timestamp]
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(string(f[0]), 64)
		if err != nil {
			continue
		}
		sum += v
		found = true
	}
	return sum, found
}

// FetchProfile saves http://listen/path to file. A 404 means vigil does not
// serve it (server.pprof off or not implemented).
func (p *Process) FetchProfile(ctx context.Context, path, file string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.Listen+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fmt.Errorf("fetch %s: status %d: %s", path, resp.StatusCode, bytes.TrimSpace(msg))
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, resp.Body)
	return errors.Join(err, f.Close())
}
