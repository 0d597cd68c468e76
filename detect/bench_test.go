package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/vigil-soc/vigil/event"
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

// corpus returns n realistic mixed events as raw ECS JSON: mostly benign
// traffic in typical proportions (process creation the largest share),
// with about one in 500 events taken from the fixtures' true positives.
func corpus(tb testing.TB, n int) [][]byte {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	host := func() string { return fmt.Sprintf("ws-%03d", r.IntN(400)) }
	user := func() string { return fmt.Sprintf("user%03d", r.IntN(2000)) }
	ip := func() string { return fmt.Sprintf("10.%d.%d.%d", r.IntN(8), r.IntN(250), 1+r.IntN(250)) }
	pub := func() string { return fmt.Sprintf("198.18.%d.%d", r.IntN(250), 1+r.IntN(250)) }

	var positives []event.Event
	src, err := newSource("", "")
	if err != nil {
		tb.Fatal(err)
	}
	fx, _ := readFixtures(src)
	for _, f := range fx {
		for _, c := range f.Cases {
			if len(c.Alerts) > 0 {
				positives = append(positives, c.Event)
			}
		}
	}

	out := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		var e event.Event
		e.Timestamp = ts.Add(time.Duration(i) * 10 * time.Millisecond)
		e.Event.ID = fmt.Sprintf("bench-%d", i)
		e.Organization.ID = pick("acme", "globex")
		switch x := r.IntN(1000); {
		case x < 2 && len(positives) > 0:
			e = positives[r.IntN(len(positives))]
			e.Event.ID = fmt.Sprintf("bench-%d", i)
		case x < 350: // process creation
			img := pick(`C:\Windows\System32\svchost.exe`, `C:\Program Files\Google\Chrome\Application\chrome.exe`,
				`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `C:\Windows\System32\cmd.exe`,
				`C:\Windows\System32\conhost.exe`, `C:\Windows\System32\rundll32.exe`, `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`,
				`C:\Windows\System32\schtasks.exe`, `C:\Windows\System32\certutil.exe`, `C:\Windows\System32\taskhostw.exe`)
			cmd := pick(`"%s" -k netsvcs -p`, `"%s" --type=renderer --field-trial-handle=1234`, `%s -NoProfile -File C:\scripts\inventory.ps1`,
				`%s /c echo hello`, `%s 0xffffffff -ForceV1`, `%s shell32.dll,Control_RunDLL`, `"%s" /recycle`, `%s /query /fo LIST`, `%s -hashfile a.exe SHA256`, `%s`)
			code := pick("1", "1", "4688")
			e.Event.Dataset, e.Event.Module, e.Event.Code = map[string]string{"1": "windows.sysmon", "4688": "windows.security"}[code], "windows", code
			e.Event.Category, e.Event.Type, e.Event.Action = []string{"process"}, []string{"start"}, "process-created"
			e.Host.Name, e.User.Name = host(), user()
			e.Process = event.Process{Executable: img, Name: path.Base(strings.ReplaceAll(img, `\`, "/")), CommandLine: fmt.Sprintf(cmd, img), PID: int64(r.IntN(60000)),
				Parent: &event.Parent{Name: "explorer.exe", Executable: `C:\Windows\explorer.exe`}}
			e.Vendor = map[string]any{"winlog": map[string]any{"event_id": code, "channel": "Security", "event_data": map[string]any{
				"Image": img, "CommandLine": e.Process.CommandLine, "ParentImage": `C:\Windows\explorer.exe`, "User": e.User.Name, "IntegrityLevel": "Medium", "Hashes": "SHA256=0123456789abcdef"}}}
		case x < 550: // logons and other security events
			code := pick("4624", "4624", "4634", "4672", "4625", "4768", "4769", "5156", "10", "3")
			e.Event.Dataset, e.Event.Module, e.Event.Code = "windows.security", "windows", code
			if code == "10" || code == "3" {
				e.Event.Dataset = "windows.sysmon"
			}
			e.Event.Category, e.Event.Outcome = []string{"authentication"}, "success"
			e.Host.Name, e.User.Name, e.Source.IP = host(), user(), ip()
			e.Vendor = map[string]any{"winlog": map[string]any{"event_id": code, "channel": "Security", "event_data": map[string]any{
				"TargetUserName": e.User.Name, "LogonType": pick("2", "3", "10"), "IpAddress": e.Source.IP, "WorkstationName": e.Host.Name,
				"SourceImage": `C:\Windows\System32\svchost.exe`, "TargetImage": `C:\Windows\System32\lsass.exe`, "GrantedAccess": "0x1000"}}}
		case x < 650: // CloudTrail
			act := pick("GetObject", "PutObject", "DescribeInstances", "AssumeRole", "ListBuckets", "GetCallerIdentity", "ConsoleLogin", "CreateAccessKey", "Decrypt")
			e.Event.Dataset, e.Event.Module, e.Event.Action, e.Event.Outcome = "aws.cloudtrail", "aws", act, "success"
			e.User.Name, e.Source.IP, e.Cloud = user(), pub(), event.Cloud{Provider: "aws", Account: event.CloudAccount{ID: "111122223333"}}
			e.Vendor = map[string]any{"aws": map[string]any{"cloudtrail": map[string]any{"eventName": act, "eventSource": "s3.amazonaws.com",
				"userIdentity": map[string]any{"type": "IAMUser", "userName": e.User.Name}, "requestParameters": map[string]any{"bucketName": "logs", "key": "a/b", "userName": e.User.Name},
				"additionalEventData": map[string]any{"MFAUsed": "Yes"}}}}
		case x < 750: // O365
			op := pick("MailItemsAccessed", "FileAccessed", "FileModified", "UserLoggedIn", "Send", "FilePreviewed", "New-InboxRule", "Set-Mailbox")
			e.Event.Dataset, e.Event.Module, e.Event.Action, e.Event.Outcome = "o365.audit", "o365", op, "success"
			e.User.Name, e.Source.IP = user()+"@acme.example", pub()
			e.Vendor = map[string]any{"o365": map[string]any{"audit": map[string]any{"Operation": op, "Workload": "Exchange", "ObjectId": "x",
				"Parameters": []any{map[string]any{"Name": "Name", "Value": "news"}, map[string]any{"Name": "MoveToFolder", "Value": "News"}}}}}
		case x < 800: // Entra sign-ins
			e.Event.Dataset, e.Event.Module, e.Event.Action = "azure.signinlogs", "azure", "Sign-in activity"
			e.Event.Outcome = pick("success", "success", "success", "failure")
			e.User.Name, e.Source.IP = user()+"@acme.example", pub()
			e.Source.Geo.CountryISOCode = pick("US", "GB", "DE", "FR")
			e.Vendor = map[string]any{"azure": map[string]any{"signinlogs": map[string]any{"properties": map[string]any{"status": map[string]any{"errorCode": 0.0}}}}}
		case x < 850: // Okta
			et := pick("user.session.start", "user.authentication.sso", "user.authentication.auth_via_mfa", "app.oauth2.as.token.grant")
			e.Event.Dataset, e.Event.Module, e.Event.Action, e.Event.Outcome = "okta.system", "okta", et, pick("success", "success", "failure")
			e.User.Name, e.Source.IP = user()+"@acme.example", pub()
			e.Vendor = map[string]any{"okta": map[string]any{"eventType": et, "outcome": map[string]any{"result": "SUCCESS"}}}
		case x < 880: // auth.log
			act := pick("ssh_login", "ssh_login_failed", "sudo", "session_opened")
			e.Event.Dataset, e.Event.Module, e.Event.Action, e.Event.Outcome = "system.auth", "system", act, "success"
			e.Host.Name, e.User.Name, e.Source.IP = fmt.Sprintf("web-%02d", r.IntN(40)), user(), ip()
			if act == "sudo" {
				e.User.Target = &event.TargetUser{Name: "root"}
				e.Process.CommandLine = pick("/usr/bin/systemctl restart nginx", "/usr/bin/apt-get update", "/bin/journalctl -u app")
			}
		default: // Zeek
			lt := pick("conn", "conn", "dns", "dns", "http", "ssl")
			e.Event.Dataset, e.Event.Module, e.Event.Action = "zeek."+lt, "zeek", lt
			e.Source.IP, e.Destination.IP, e.Destination.Port = ip(), pub(), 443
			rec := map[string]any{"uid": "C" + fmt.Sprint(i), "id.orig_h": e.Source.IP, "id.resp_h": e.Destination.IP}
			switch lt {
			case "dns":
				e.DNS.Question.Name, e.DNS.Question.Type = pick("www.example.org", "login.microsoftonline.com", "updates.vendor.example", "_ldap._tcp.dc._msdcs.acme.example"), pick("A", "AAAA", "TXT", "SRV")
			case "http":
				e.URL.Domain, e.UserAgent.Original = pick("www.example.org", "crl.vendor.example"), pick("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Microsoft-CryptoAPI/10.0")
			case "ssl":
				e.TLS.ServerName = pick("www.example.org", "outlook.office365.com", "api.vendor.example")
			}
			e.Vendor = map[string]any{"zeek": map[string]any{lt: rec}}
		}
		b, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// threadCPU returns the CPU time of the calling OS thread. The VM the
// benchmarks run on is shared, so wall time per event varies a lot with
// load; CPU time of the benchmark thread gives events per busy core. It
// leaves out the GC work done by background workers on other threads.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ev/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "ev/cpu-s")
	}
}

// benchEngine measures raw bytes → event.Event → alerts through Detect on
// one goroutine.
func benchEngine(b *testing.B, dir string, raw [][]byte) {
	e, err := New(context.Background(), Config{PolicyDir: dir, SkipTests: true, Workers: 1, SuppressWindow: -1}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		b.Fatal(err)
	}
	const batch = 256
	evs := make([]event.Event, 0, batch)
	ctx := context.Background()
	var bytesIn int64
	for _, r := range raw {
		bytesIn += int64(len(r))
	}
	b.SetBytes(bytesIn / int64(len(raw)))
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	cpu0 := threadCPU()
	alerts := 0
	for i := 0; i < b.N; i++ {
		var ev event.Event
		if err := json.Unmarshal(raw[i%len(raw)], &ev); err != nil {
			b.Fatal(err)
		}
		evs = append(evs, ev)
		if len(evs) == batch || i == b.N-1 {
			out, err := e.Detect(ctx, evs)
			if err != nil {
				b.Fatal(err)
			}
			alerts += len(out)
			evs = evs[:0]
		}
	}
	reportRates(b, threadCPU()-cpu0)
	b.ReportMetric(float64(alerts)/float64(b.N), "alerts/ev")
}

// benchNaive measures the usual way: one prepared query per detection,
// input passed as a decoded map with EvalInput.
func benchNaive(b *testing.B, dir string, raw [][]byte) {
	ctx := context.Background()
	e, err := New(ctx, Config{PolicyDir: dir, SkipTests: true, Workers: 1}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		b.Fatal(err)
	}
	set := e.set.Load()
	qs := make([]rego.PreparedEvalQuery, len(set.dets))
	for i, d := range set.dets {
		q, err := rego.New(rego.Query(d.Package+".finding"), rego.Compiler(set.compiler), rego.Store(set.store)).PrepareForEval(ctx)
		if err != nil {
			b.Fatal(err)
		}
		qs[i] = q
	}
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	cpu0 := threadCPU()
	for i := 0; i < b.N; i++ {
		var in map[string]any
		if err := json.Unmarshal(raw[i%len(raw)], &in); err != nil {
			b.Fatal(err)
		}
		for _, q := range qs {
			if _, err := q.Eval(ctx, rego.EvalInput(in)); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportRates(b, threadCPU()-cpu0)
}

// BenchmarkDetect reports events/s on one goroutine for 10, 50 (the
// library) and 200 detections, with the naive evaluation beside it.
//
//	go test ./detect/ -run XXX -bench Detect -benchtime 3s
func BenchmarkDetect(b *testing.B) {
	raw := corpus(b, 4096)
	lib := len(libraryModules(b))
	// Calibration: decoding alone, to compare the VM with other runs.
	b.Run("decode-only", func(b *testing.B) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		cpu0 := threadCPU()
		for i := 0; i < b.N; i++ {
			var ev event.Event
			if err := json.Unmarshal(raw[i%len(raw)], &ev); err != nil {
				b.Fatal(err)
			}
		}
		reportRates(b, threadCPU()-cpu0)
	})
	for _, n := range []int{10, lib, 200} {
		dir, _ := policyDir(b, n)
		b.Run(fmt.Sprintf("detections=%d/one-query", n), func(b *testing.B) { benchEngine(b, dir, raw) })
		b.Run(fmt.Sprintf("detections=%d/naive", n), func(b *testing.B) { benchNaive(b, dir, raw) })
	}
}
