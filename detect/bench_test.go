package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest/parse"
	"github.com/vigil-soc/vigil/policies"
)

// libraryModules returns the embedded detection modules (not tests) by path.
func libraryModules(tb testing.TB) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := fs.WalkDir(policies.FS, "detections", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		b, err := fs.ReadFile(policies.FS, p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// keepLiteral are string constants variants keep, so that variant rules
// share the broad keys (dataset, outcome) of real rule sets and differ in
// the selective ones (action, event code, process name, patterns).
var keepLiteral = map[string]bool{"success": true, "failure": true}

func init() {
	for _, ds := range []string{"aws.cloudtrail", "o365.audit", "azure.signinlogs", "okta.system", "windows.security",
		"windows.sysmon", "windows.system", "windows.powershell", "system.auth", "zeek.conn", "zeek.dns", "zeek.http", "zeek.ssl"} {
		keepLiteral[ds] = true
	}
}

// variant rewrites a library detection into a distinct detection: another
// package and id, and every string constant outside references (action
// names, event codes, process names, patterns) suffixed, except dataset and
// outcome values.
func variant(tb testing.TB, name, src string, k int) string {
	tb.Helper()
	m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		tb.Fatal(err)
	}
	m.Package.Path = append(m.Package.Path.Copy()[:len(m.Package.Path)-1],
		ast.StringTerm(fmt.Sprintf("%s_v%d", string(m.Package.Path[len(m.Package.Path)-1].Value.(ast.String)), k)))
	suffix := fmt.Sprintf("~v%d", k)
	mutate := func(t *ast.Term) bool {
		switch v := t.Value.(type) {
		case ast.Ref:
			return true // keep paths such as input.event.action
		case ast.String:
			if !keepLiteral[string(v)] {
				t.Value = ast.String(string(v) + suffix)
			}
		}
		return false
	}
	for _, r := range m.Rules {
		ast.WalkTerms(r, mutate)
	}
	// The metadata keys were suffixed too; restore the metadata object.
	for _, r := range m.Rules {
		if r.Head.Name.String() == metadataRule {
			r.Head.Value = restoreKeys(r.Head.Value, suffix)
		}
	}
	out, err := format.AstWithOpts(m, format.Opts{RegoVersion: ast.RegoV1})
	if err != nil {
		tb.Fatal(err)
	}
	return string(out)
}

func restoreKeys(t *ast.Term, suffix string) *ast.Term {
	obj, ok := t.Value.(ast.Object)
	if !ok {
		return t
	}
	var kvs [][2]*ast.Term
	obj.Foreach(func(k, v *ast.Term) {
		ks := strings.TrimSuffix(string(k.Value.(ast.String)), suffix)
		switch ks {
		case "severity":
			v = ast.StringTerm(strings.TrimSuffix(string(v.Value.(ast.String)), suffix))
		case "id":
			v = ast.StringTerm(strings.TrimSuffix(string(v.Value.(ast.String)), suffix) + "-" + strings.TrimPrefix(suffix, "~"))
		}
		kvs = append(kvs, [2]*ast.Term{ast.StringTerm(ks), v})
	})
	return ast.NewTerm(ast.NewObject(kvs...))
}

// policyDir writes a policy directory with n detections: a spread of the
// library for n below its size, the library plus variants above.
func policyDir(tb testing.TB, n int) (string, int) {
	tb.Helper()
	dir := tb.TempDir()
	lib := libraryModules(tb)
	names := make([]string, 0, len(lib))
	for p := range lib {
		names = append(names, p)
	}
	sort.Strings(names)
	files := map[string]string{}
	if n <= len(names) {
		step := float64(len(names)) / float64(n)
		for i := 0; i < n; i++ {
			p := names[int(float64(i)*step)]
			files[p] = lib[p]
		}
	} else {
		for _, p := range names {
			files[p] = lib[p]
		}
		for k := 1; len(files) < n; k++ {
			for _, p := range names {
				if len(files) >= n {
					break
				}
				vp := strings.TrimSuffix(p, ".rego") + fmt.Sprintf("_v%d.rego", k)
				files[vp] = variant(tb, p, lib[p], k)
			}
		}
	}
	// lib/ and data/ as embedded.
	for _, root := range []string{"lib", "data"} {
		err := fs.WalkDir(policies.FS, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.rego") {
				return err
			}
			b, err := fs.ReadFile(policies.FS, p)
			files[p] = string(b)
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	for p, src := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(src), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir, len(files)
}

// corpus returns n realistic mixed records in their sources' native
// formats, as the generator used by vigil-bench and vigil demo produces
// them: background noise in production proportions with attack scenarios
// injected.
func corpus(tb testing.TB, n int) []gen.Record {
	tb.Helper()
	recs := gen.New(gen.Config{Seed: 1, Noise: true}).Generate(n)
	if len(recs) == 0 {
		tb.Fatal("generator produced no records")
	}
	return recs
}

// parseRecord runs rec through the ingest parser.
func parseRecord(tb testing.TB, reg *parse.Registry, rec gen.Record) []event.Event {
	return appendRecord(tb, reg, nil, rec)
}

// appendRecord adds the events of rec to evs, as the pipeline fills a
// batch.
func appendRecord(tb testing.TB, reg *parse.Registry, evs []event.Event, rec gen.Record) []event.Event {
	evs, err := reg.Append(evs, rec.Source, parse.Record{Value: rec.Value, Tenant: rec.Tenant, Topic: rec.Topic})
	if err != nil {
		tb.Fatalf("parse %s record: %v", rec.Source, err)
	}
	return evs
}

// cpuTime returns the CPU time of the process, user and system, GC workers
// included. The VM the benchmarks run on is shared, so wall time per event
// varies a lot with load; with GOMAXPROCS=1 the CPU time gives events per
// busy core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRates reports events per second of wall time and per CPU-second.
// b.N counts records; a record may hold several events.
func reportRates(b *testing.B, events int, cpu time.Duration) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "ev/s")
	if cpu > 0 {
		b.ReportMetric(float64(events)/cpu.Seconds(), "ev/cpu-s")
	}
}

// benchEngine measures raw bytes → ingest parser → event.Event → alerts
// through Detect on one goroutine, in batches as the pipeline hands them:
// each batch a new slice the parser fills.
func benchEngine(b *testing.B, dir string, raw []gen.Record) {
	e, err := New(context.Background(), Config{PolicyDir: dir, SkipTests: true, Workers: 1, SuppressWindow: -1}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		b.Fatal(err)
	}
	reg := parse.NewRegistry()
	const batch = 256
	evs := make([]event.Event, 0, batch)
	ctx := context.Background()
	var bytesIn int64
	for _, r := range raw {
		bytesIn += int64(len(r.Value))
	}
	b.SetBytes(bytesIn / int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	alerts, n := 0, 0
	for i := 0; i < b.N; i++ {
		evs = appendRecord(b, reg, evs, raw[i%len(raw)])
		if len(evs) >= batch || i == b.N-1 {
			out, err := e.Detect(ctx, evs)
			if err != nil {
				b.Fatal(err)
			}
			alerts += len(out)
			n += len(evs)
			evs = make([]event.Event, 0, batch)
		}
	}
	reportRates(b, n, cpuTime()-cpu0)
	b.ReportMetric(float64(alerts)/float64(n), "alerts/ev")
}

// benchNaive measures the usual way: the same parser, the event as a
// decoded JSON map, one prepared query per detection, input passed with
// EvalInput.
func benchNaive(b *testing.B, dir string, raw []gen.Record) {
	ctx := context.Background()
	e, err := New(ctx, Config{PolicyDir: dir, SkipTests: true, Workers: 1}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		b.Fatal(err)
	}
	set := e.set.Load()
	qs := make([]rego.PreparedEvalQuery, len(set.dets))
	for i, d := range set.dets {
		opts := append([]func(*rego.Rego){rego.Query(d.Package + ".finding"), rego.Compiler(set.compiler), rego.Store(set.store)}, set.lookups.rego()...)
		q, err := rego.New(opts...).PrepareForEval(ctx)
		if err != nil {
			b.Fatal(err)
		}
		qs[i] = q
	}
	reg := parse.NewRegistry()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, ev := range parseRecord(b, reg, raw[i%len(raw)]) {
			n++
			doc, err := json.Marshal(ev)
			if err != nil {
				b.Fatal(err)
			}
			var in map[string]any
			if err := json.Unmarshal(doc, &in); err != nil {
				b.Fatal(err)
			}
			for _, q := range qs {
				if _, err := q.Eval(ctx, rego.EvalInput(in)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	reportRates(b, n, cpuTime()-cpu0)
}

// vigilGCPercent is internal/app's default runtime.gc_percent.
const vigilGCPercent = 200

// BenchmarkDetect reports events per CPU-second from raw records to alerts
// for 10, 50, the whole library and 200 detections, with the naive evaluation
// beside each. Run it on one core, with several counts, and compare the
// ratios of one run:
//
//	GOMAXPROCS=1 go test ./detect/ -run XXX -bench Detect -benchtime 3s -count 3
func BenchmarkDetect(b *testing.B) {
	// The garbage collector runs at the pace vigil sets by default
	// (runtime.gc_percent: 200), not Go's 100: a quarter of the CPU here is
	// the collector's, and the pace changes it. GOGC, when set, wins, as in
	// vigil.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(vigilGCPercent))
	}
	raw := corpus(b, 4096)
	lib := len(libraryModules(b))
	// Calibration: parsing alone, to compare the VM with other runs.
	b.Run("parse-only", func(b *testing.B) {
		reg := parse.NewRegistry()
		cpu0 := cpuTime()
		n := 0
		evs := make([]event.Event, 0, 256)
		for i := 0; i < b.N; i++ {
			if evs = appendRecord(b, reg, evs, raw[i%len(raw)]); len(evs) >= 256 {
				n += len(evs)
				evs = make([]event.Event, 0, 256)
			}
		}
		n += len(evs)
		reportRates(b, n, cpuTime()-cpu0)
	})
	for _, n := range []int{10, 50, lib, 200} {
		dir, _ := policyDir(b, n)
		b.Run(fmt.Sprintf("detections=%d/one-query", n), func(b *testing.B) { benchEngine(b, dir, raw) })
		b.Run(fmt.Sprintf("detections=%d/naive", n), func(b *testing.B) { benchNaive(b, dir, raw) })
	}
}

// BenchmarkInput measures building the policy input alone, for the events
// of the corpus that 50 of the library's detections evaluate (those the
// prefilter lets through), with one builder as an evaluator has.
//
//	GOMAXPROCS=1 go test ./detect/ -run XXX -bench Input -benchmem
func BenchmarkInput(b *testing.B) {
	dir, _ := policyDir(b, 50)
	e, err := New(context.Background(), Config{PolicyDir: dir, SkipTests: true, Workers: 1}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		b.Fatal(err)
	}
	set := e.set.Load()
	reg := parse.NewRegistry()
	var evs []event.Event
	var ib inputBuilder
	var res eventResolver
	for _, r := range corpus(b, 4096) {
		for _, x := range parseRecord(b, reg, r) {
			res.reset(&x, set.need, &ib)
			if set.pre == nil || set.pre.mayMatch(&res) {
				evs = append(evs, x)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ib.raw.forget()
		ib.value(&evs[i%len(evs)], set.need)
	}
}
