package detect

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/vigil-soc/vigil/event"
)

// compiledRules compiles bodies as the finding rules of one package and
// returns them compiled, as the prefilter reads them.
func compiledRules(t *testing.T, bodies ...string) []*ast.Rule {
	t.Helper()
	src := "package p\n\n"
	for _, b := range bodies {
		src += "f contains 1 if {\n" + b + "\n}\n\n"
	}
	c := newCompiler()
	c.Compile(map[string]*ast.Module{"p.rego": ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})})
	if c.Failed() {
		t.Fatalf("compile %s: %v", src, c.Errors)
	}
	return c.GetRulesExact(ast.MustParseRef("data.p.f"))
}

func TestLiteralTests(t *testing.T) {
	cases := []struct {
		name, body string
		want       map[string][]string // path → values
	}{
		{"equality", `input.event.code == "4624"`, map[string][]string{"event.code": {"4624"}}},
		{"reversed", `"4624" == input.event.code`, map[string][]string{"event.code": {"4624"}}},
		{"unification", `input.event.code = "4624"`, map[string][]string{"event.code": {"4624"}}},
		{"set", `input.event.action in {"a", "b"}`, map[string][]string{"event.action": {"a", "b"}}},
		{"array", `input.event.action in ["a", "b"]`, map[string][]string{"event.action": {"a", "b"}}},
		{"two fields", "input.event.dataset == \"zeek.dns\"\ninput.dns.question.type in {\"TXT\", \"NULL\"}",
			map[string][]string{"event.dataset": {"zeek.dns"}, "dns.question.type": {"NULL", "TXT"}}},
		{"negated", `not input.event.action == "a"`, map[string][]string{}},
		{"function of the field", `lower(input.user.name) == "root"`, map[string][]string{}},
		{"number", `input.event.code == 4624`, map[string][]string{}},
		{"empty string", `input.event.code == ""`, map[string][]string{}},
		{"mixed set", `input.event.code in {"4624", 4625}`, map[string][]string{}},
		{"vendor field", `input.winlog.event_data.LogonType == "3"`, map[string][]string{}},
		{"local from data", "x := data.lists.names\ninput.user.name == x", map[string][]string{}},
		{"in a comprehension", `count([1 | input.event.action == "a"]) > 0`, map[string][]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rules := compiledRules(t, c.body)
			tests, paths := literalTests(rules[0])
			got := map[string][]string{}
			for i, p := range paths {
				vals := append([]string(nil), tests[i].values...)
				slices.Sort(vals)
				got[p] = vals
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("tests of %q = %v, want %v", c.body, got, c.want)
			}
		})
	}
}

func TestPrefilter(t *testing.T) {
	ev := func(dataset, action, code string) *event.Event {
		var e event.Event
		e.Event.Dataset, e.Event.Action, e.Event.Code = dataset, action, code
		return &e
	}
	rules := compiledRules(t,
		"input.event.dataset == \"windows.security\"\ninput.event.code in {\"4624\", \"4625\"}",
		"input.event.dataset == \"o365.audit\"\ninput.event.action == \"New-InboxRule\"",
		`input.event.dataset == "zeek.dns"`,
	)
	p := newPrefilter(rules, nil)
	if p == nil {
		t.Fatal("no prefilter")
	}
	cases := []struct {
		ev   *event.Event
		want bool
	}{
		{ev("windows.security", "", "4625"), true},
		{ev("windows.security", "", "4688"), false},
		{ev("windows.sysmon", "", "4624"), false}, // a test of one rule holds, the other not
		{ev("o365.audit", "New-InboxRule", ""), true},
		{ev("o365.audit", "FileAccessed", ""), false},
		{ev("zeek.dns", "query", ""), true},
		{ev("zeek.conn", "", ""), false},
		{ev("", "", ""), false},
	}
	for _, c := range cases {
		if got := p.mayMatch(resolverOf(c.ev)); got != c.want {
			t.Errorf("mayMatch(%s %s %s) = %v, want %v", c.ev.Event.Dataset, c.ev.Event.Action, c.ev.Event.Code, got, c.want)
		}
	}
	// A rule that tests no indexed field may match any event.
	if p := newPrefilter(append(rules, compiledRules(t, `startswith(input.process.name, "x")`)...), nil); p != nil {
		t.Fatal("prefilter built over a rule without literal tests")
	}
}

// resolverOf returns a resolver of ev for policies that read everything.
func resolverOf(ev *event.Event) *eventResolver {
	r := &eventResolver{}
	r.reset(ev, &pathSet{all: true}, &inputBuilder{})
	return r
}

// prefilterWith compiles the finding rules bodies of package p, with the
// other rules of p (functions) in lib, and builds the prefilter with its
// checks over data (mounted at data.vigil).
func prefilterWith(t *testing.T, data map[string]any, lib string, bodies ...string) *prefilter {
	t.Helper()
	src := "package p\n\n" + lib + "\n"
	for _, b := range bodies {
		src += "f contains 1 if {\n" + b + "\n}\n\n"
	}
	c := newCompiler().WithBuiltins(builtinMap(vigilBuiltinDecls))
	c.Compile(map[string]*ast.Module{"p.rego": ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})})
	if c.Failed() {
		t.Fatalf("compile %s: %v", src, c.Errors)
	}
	p := newPrefilter(c.GetRulesExact(ast.MustParseRef("data.p.f")), newCheckEnv(c, data, newVigilBuiltins(data), nil))
	if p == nil {
		t.Fatal("no prefilter")
	}
	return p
}

func builtinMap(decls []*ast.Builtin) map[string]*ast.Builtin {
	out := map[string]*ast.Builtin{}
	for _, d := range decls {
		out[d.Name] = d
	}
	return out
}

func TestPrefilterVendorChecks(t *testing.T) {
	p := prefilterWith(t, nil, "",
		"input.event.dataset == \"azure.signinlogs\"\ninput.azure.signinlogs.properties.riskLevel == \"high\"",
		"input.event.dataset == \"azure.signinlogs\"\ninput.azure.signinlogs.properties.status.errorCode in {500121, \"500121\"}",
	)
	ev := func(vendor any) *event.Event {
		var e event.Event
		e.Event.Dataset = "azure.signinlogs"
		if vendor != nil {
			e.Vendor = map[string]any{"azure": vendor}
		}
		return &e
	}
	cases := []struct {
		name string
		ev   *event.Event
		want bool
	}{
		{"literal matches", ev(event.RawJSON(`{"signinlogs":{"properties":{"riskLevel":"high"}}}`)), true},
		{"literal differs", ev(event.RawJSON(`{"signinlogs":{"properties":{"riskLevel":"low"}}}`)), false},
		{"decoded vendor fields", ev(map[string]any{"signinlogs": map[string]any{"properties": map[string]any{"riskLevel": "high"}}}), true},
		{"number in a mixed set", ev(event.RawJSON(`{"signinlogs":{"properties":{"status":{"errorCode":500121}}}}`)), true},
		{"string in a mixed set", ev(event.RawJSON(`{"signinlogs":{"properties":{"status":{"errorCode":"500121"}}}}`)), true},
		{"other number", ev(event.RawJSON(`{"signinlogs":{"properties":{"status":{"errorCode":50126}}}}`)), false},
		{"field absent", ev(event.RawJSON(`{"signinlogs":{"properties":{}}}`)), false},
		{"no vendor fields", ev(nil), false},
		// An object where a scalar is tested cannot be told from the
		// event: the evaluation decides.
		{"object, undecided", ev(event.RawJSON(`{"signinlogs":{"properties":{"riskLevel":{"x":1}}}}`)), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := p.mayMatch(resolverOf(c.ev)); got != c.want {
				t.Fatalf("mayMatch = %v, want %v", got, c.want)
			}
		})
	}
}

func TestPrefilterLookupChecks(t *testing.T) {
	data := map[string]any{"threat_intel": map[string]any{
		"ips":     map[string]any{"192.0.2.66": "known C2", "192.0.2.67": false},
		"cidrs":   []any{"198.51.100.0/24"},
		"domains": []any{"evil.example"},
	}}
	const lib = `
bad_ip(ip) if data.vigil.threat_intel.ips[ip]
bad_ip(ip) if vigil.in_networks(ip, "threat_intel.cidrs")
bad_domain(name) if vigil.in_domains(name, "threat_intel.domains")
# A definition the prefilter cannot do: any call of it may hold.
odd_ip(ip) if data.vigil.threat_intel.ips[ip]
odd_ip(ip) if net.cidr_contains("10.0.0.0/8", ip)
defaulted(ip) if data.vigil.threat_intel.ips[ip]
default defaulted(_) := true
`
	p := prefilterWith(t, data, lib,
		"input.event.dataset == \"zeek.conn\"\nbad_ip(input.destination.ip)",
		"input.event.dataset == \"zeek.dns\"\nbad_domain(input.dns.question.name)",
		"input.event.dataset == \"zeek.ssl\"\nodd_ip(input.destination.ip)",
		"input.event.dataset == \"zeek.http\"\ndefaulted(input.destination.ip)",
	)
	ev := func(dataset, ip, name string) *event.Event {
		var e event.Event
		e.Event.Dataset, e.Destination.IP, e.DNS.Question.Name = dataset, ip, name
		return &e
	}
	cases := []struct {
		name string
		ev   *event.Event
		want bool
	}{
		{"listed address", ev("zeek.conn", "192.0.2.66", ""), true},
		{"address in a listed network", ev("zeek.conn", "198.51.100.7", ""), true},
		{"clean address", ev("zeek.conn", "8.8.8.8", ""), false},
		{"listed as false", ev("zeek.conn", "192.0.2.67", ""), false},
		{"no address", ev("zeek.conn", "", ""), false},
		{"listed parent domain", ev("zeek.dns", "", "cdn.EVIL.example."), true},
		{"clean domain", ev("zeek.dns", "", "example.org"), false},
		{"function with another test", ev("zeek.ssl", "8.8.8.8", ""), true},
		{"function with a default", ev("zeek.http", "8.8.8.8", ""), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := p.mayMatch(resolverOf(c.ev)); got != c.want {
				t.Fatalf("mayMatch = %v, want %v", got, c.want)
			}
		})
	}
}

// TestPrefilterBodyChecks: values computed from input fields in the body
// or in rules it reads, tested with string builtins and literals. Each
// case is one rule; want is mayMatch for the event.
func TestPrefilterBodyChecks(t *testing.T) {
	data := map[string]any{"tools": []any{"mimikatz", "procdump"}, "names": map[string]any{"a": "x", "b": "y"},
		"agents": []any{"sqlmap", "nikto"},
		"watch":  map[string]any{"default": map[string]any{"KP": "North Korea"}, "acme": map[string]any{"IR": "Iran"}}}
	const lib = `
cmdline := lower(object.get(input, ["process", "command_line"], ""))
guarded := lower(input.user.name) if input.event.action == "never"
markers := ["sekurlsa::", "lsadump::"]
default defaulted := "mimikatz"
defaulted := lower(input.process.command_line) if input.event.action == "x"
tenant := object.get(input, ["organization", "id"], "")
# A lookup per tenant with a fallback, as lib.tenant_lookup.
lookup(table, key) := v if {
	v := table[tenant][key]
} else := v if {
	v := table["default"][key]
}
# A rule with two definitions, as lib.watched_country.
watched := c if {
	c := input.source.geo.country_iso_code
	lookup(data.vigil.watch, c)
}
watched := c if {
	not input.source.geo.country_iso_code
	c := input.source.geo.country_name
	c == "Atlantis"
}
# winlog.event_data and one of its values in lower case, as lib.ed.
event_data := object.get(input, ["winlog", "event_data"], {})
ed(name) := lower(object.get(event_data, name, ""))
`
	proc := func(cmd, name string) *event.Event {
		var e event.Event
		e.Event.Dataset, e.Process.CommandLine, e.Process.Name, e.User.Name = "d", cmd, name, "Admin"
		return &e
	}
	share := func(data any) *event.Event {
		var e event.Event
		e.Event.Dataset = "d"
		if data != nil {
			e.Vendor = map[string]any{"winlog": map[string]any{"event_data": data}}
		}
		return &e
	}
	signin := func(tenant, iso, country string) *event.Event {
		var e event.Event
		e.Event.Dataset, e.Organization.ID, e.Source.Geo.CountryISOCode, e.Source.Geo.CountryName = "d", tenant, iso, country
		return &e
	}
	cases := []struct {
		name, body string
		ev         *event.Event
		want       bool
	}{
		{"contains of a lowered rule value", `contains(cmdline, "lsass")`, proc(`rundll32 comsvcs.dll MiniDump 624 C:\LSASS.dmp`, ""), true},
		{"contains fails", `contains(cmdline, "lsass")`, proc(`notepad.exe`, ""), false},
		{"absent field takes the default", `contains(cmdline, "lsass")`, proc("", ""), false},
		{"some value of a literal rule", "some m in markers\ncontains(cmdline, m)", proc("mimikatz.exe LSADUMP::sam", ""), true},
		{"no value of a literal rule", "some m in markers\ncontains(cmdline, m)", proc("mimikatz.exe coffee", ""), false},
		{"some value of a data array", "some t in data.vigil.tools\ncontains(cmdline, t)", proc("ProcDump -ma lsass", ""), true},
		{"no value of a data array", "some t in data.vigil.tools\ncontains(cmdline, t)", proc("whoami", ""), false},
		{"some value of a data object", "some k, v in data.vigil.names\nlower(input.process.name) == v", proc("", "Y"), true},
		{"startswith", `startswith(lower(input.process.command_line), "powershell")`, proc("PowerShell -enc AAA", ""), true},
		{"startswith fails", `startswith(lower(input.process.command_line), "powershell")`, proc("cmd /c PowerShell", ""), false},
		{"endswith", `endswith(input.process.name, ".ps1")`, proc("", "a.PS1"), false},
		{"regex", `regex.match("(^|\\s)[-/]ma(\\s|$)", cmdline)`, proc("procdump -ma lsass.exe", ""), true},
		{"regex fails", `regex.match("(^|\\s)[-/]ma(\\s|$)", cmdline)`, proc("procdump -mp lsass.exe", ""), false},
		{"literal on the left", `"lsass.exe" == lower(input.process.name)`, proc("", "LSASS.EXE"), true},
		{"literal on the left fails", `"lsass.exe" == lower(input.process.name)`, proc("", "svchost.exe"), false},
		{"any prefix of a data list", `strings.any_prefix_match(lower(input.process.name), data.vigil.agents)`, proc("", "SQLMap/1.7"), true},
		{"no prefix of a data list", `strings.any_prefix_match(lower(input.process.name), data.vigil.agents)`, proc("", "curl/8.0"), false},
		{"any suffix of a literal", `strings.any_suffix_match(input.process.name, ".exe")`, proc("", "a.dll"), false},
		{"member of a bound literal", "names := {\"a.exe\", \"b.exe\"}\ninput.process.name in names", proc("", "c.exe"), false},
		{"a binding to an absent field", `n := input.process.name`, proc("x", ""), false},
		{"a binding to a present field", `n := input.process.name`, proc("", "a.exe"), true},
		{"a computed key, default table", `watched`, signin("globex", "KP", ""), true},
		{"a computed key, the tenant's table", `watched`, signin("acme", "IR", ""), true},
		{"a computed key, another tenant's entry", `watched`, signin("globex", "IR", ""), false},
		{"a computed key, no entry", `watched`, signin("acme", "FR", ""), false},
		{"the other definition", `watched`, signin("acme", "", "Atlantis"), true},
		{"the other definition fails", `watched`, signin("acme", "", "France"), false},
		{"negated field present", `not input.source.geo.country_iso_code`, signin("acme", "FR", ""), false},
		{"negated field absent", `not input.source.geo.country_iso_code`, signin("acme", "", "France"), true},
		{"a function with an else", `lookup(data.vigil.watch, input.source.geo.country_iso_code)`, signin("", "KP", ""), true},
		{"a function with an else fails", `lookup(data.vigil.watch, input.source.geo.country_iso_code)`, signin("", "IR", ""), false},
		{"a value of an input object", `endswith(ed("ShareName"), "admin$")`, share(map[string]string{"ShareName": `\\*\ADMIN$`}), true},
		{"a value of an input object fails", `endswith(ed("ShareName"), "admin$")`, share(map[string]string{"ShareName": `\\*\IPC$`}), false},
		{"a value of an absent input object", `endswith(ed("ShareName"), "admin$")`, share(nil), false},
		{"an input object as text", `contains(ed("CommandLine"), "lsass")`, share(event.RawJSON(`{"CommandLine":"procdump LSASS"}`)), true},
		{"an input object as text fails", `contains(ed("CommandLine"), "lsass")`, share(event.RawJSON(`{"CommandLine":"notepad"}`)), false},
		{"an input object that is not one", `contains(ed("CommandLine"), "lsass")`, share("text"), true},
		// A rule's conditions are left out: its value is what a check tests.
		{"value of a guarded rule", `guarded == "admin"`, proc("", ""), true},
		{"value of a guarded rule fails", `guarded == "root"`, proc("", ""), false},
		// What the prefilter cannot compute, the evaluation decides.
		{"a rule with a default", `contains(defaulted, "lsass")`, proc("notepad", ""), true},
		{"a variable of an unknown call compared", "x := concat(\",\", [input.process.name])\nx == \"lsass.exe\"", proc("", "notepad.exe"), true},
		{"an unknown function of the field", `contains(trim_space(input.process.command_line), "lsass")`, proc("notepad", ""), true},
		{"negated", `not contains(cmdline, "lsass")`, proc("lsass", ""), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := "input.event.dataset == \"d\"\n" + c.body
			p := prefilterWith(t, data, lib, body)
			got := p.mayMatch(resolverOf(c.ev))
			if got != c.want {
				t.Fatalf("mayMatch = %v, want %v", got, c.want)
			}
			if !got && opaMatches(t, data, lib, body, c.ev) {
				t.Fatal("the prefilter ruled out an event the rule matches")
			}
		})
	}
}

// opaMatches evaluates the rule with OPA on the whole event.
func opaMatches(t *testing.T, data map[string]any, lib, body string, ev *event.Event) bool {
	t.Helper()
	src := "package p\n\n" + lib + "\nf contains 1 if {\n" + body + "\n}\n"
	rs, err := rego.New(rego.Query("data.p.f"), rego.Module("p.rego", src),
		rego.Store(inmem.NewFromObject(map[string]any{"vigil": data})),
		rego.ParsedInput(eventValue(ev, &pathSet{all: true}))).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(rs) == 1 && len(rs[0].Expressions) == 1 && len(rs[0].Expressions[0].Value.([]any)) > 0
}

// FuzzPrefilterKeepsEveryMatch: the prefilter rules an event out only when
// evaluating every detection of the library on it, without the prefilter,
// finds nothing. The seeds are the library's fixtures, true positives
// included; the fuzzer varies their fields.
func FuzzPrefilterKeepsEveryMatch(f *testing.F) {
	e := newTestEngine(f, Config{SkipTests: true})
	set := e.set.Load()
	if set.pre == nil {
		f.Fatal("the library's rules give no prefilter")
	}
	full := *set
	full.need, full.index, full.all, full.pre = nil, nil, allQuery{}, nil
	for _, fx := range set.files.fixtures {
		for _, c := range fx.Cases {
			doc, err := json.Marshal(c.Event)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(doc)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var ev event.Event
		if json.Unmarshal(doc, &ev) != nil {
			return
		}
		var r eventResolver
		r.reset(&ev, set.need, &inputBuilder{})
		if set.pre.mayMatch(&r) {
			return
		}
		if found := e.evalEvent(context.Background(), &full, &ev); len(found) > 0 {
			t.Fatalf("the prefilter ruled out an event with findings %+v: %s", found, doc)
		}
	})
}
