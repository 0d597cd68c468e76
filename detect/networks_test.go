package detect

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/vigil-soc/vigil/event"
)

func TestFindNetworkLists(t *testing.T) {
	data := map[string]any{
		"threat_intel": map[string]any{
			"cidrs":    []any{"192.0.2.128/25", "2001:db8::/32"},
			"ips":      map[string]any{"203.0.113.66": "c2"},
			"domains":  []any{"evil.example"},
			"mixed":    []any{"10.0.0.0/8", "not a network"},
			"numbers":  []any{1.0, 2.0},
			"empty":    []any{},
			"tenant_x": map[string]any{"office": []any{"198.51.100.0/24"}},
		},
	}
	var got []string
	for path := range findNetworkLists(data) {
		got = append(got, path)
	}
	slices.Sort(got)
	want := []string{"threat_intel.cidrs", "threat_intel.tenant_x.office"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("network lists %v, want %v", got, want)
	}
}

func TestInNetworks(t *testing.T) {
	lists := findNetworkLists(map[string]any{"ti": map[string]any{"nets": []any{
		"192.0.2.128/25", "10.1.2.3/8", "198.51.100.7/32", "2001:db8::/32", "::ffff:172.16.0.0/108", "fe80::/10",
	}}})
	cases := []struct {
		ip, list string
		want     bool
	}{
		{"192.0.2.177", "ti.nets", true},
		{"192.0.2.127", "ti.nets", false},
		{"10.200.0.1", "ti.nets", true}, // host bits in the list's network are ignored
		{"198.51.100.7", "ti.nets", true},
		{"198.51.100.8", "ti.nets", false},
		{"2001:db8:1::5", "ti.nets", true},
		{"2001:db9::5", "ti.nets", false},
		{"::ffff:192.0.2.200", "ti.nets", true}, // a mapped address is its IPv4 address
		{"172.16.5.5", "ti.nets", true},         // a mapped network is its IPv4 network
		{"fe80::1%eth0", "ti.nets", true},
		{" 192.0.2.177 ", "ti.nets", true},
		{"not an address", "ti.nets", false},
		{"", "ti.nets", false},
		{"192.0.2.177", "ti.missing", false},
	}
	for _, c := range cases {
		got, err := lists.match(ast.StringTerm(c.ip), ast.StringTerm(c.list))
		if err != nil {
			t.Fatal(err)
		}
		if want := ast.BooleanTerm(c.want); !got.Equal(want) {
			t.Errorf("vigil.in_networks(%q, %q) = %v, want %v", c.ip, c.list, got, c.want)
		}
	}
	if got, _ := lists.match(ast.IntNumberTerm(1), ast.StringTerm("ti.nets")); !got.Equal(ast.BooleanTerm(false)) {
		t.Errorf("a number matched: %v", got)
	}
}

// TestInNetworksAgreesWithAScan checks the index against netip's own
// containment over every network, on random lists and addresses.
func TestInNetworksAgreesWithAScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	addr4 := func() netip.Addr {
		return netip.AddrFrom4([4]byte{byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
	}
	addr6 := func() netip.Addr {
		var b [16]byte
		b[0], b[1], b[2] = 0x20, 0x01, byte(r.IntN(4))
		for i := 3; i < 16; i++ {
			b[i] = byte(r.IntN(256))
		}
		return netip.AddrFrom16(b)
	}
	for round := 0; round < 20; round++ {
		var items []any
		var nets []netip.Prefix
		for i := 0; i < 200; i++ {
			a, bits := addr4(), 8+r.IntN(25)
			if i%3 == 0 {
				a, bits = addr6(), 16+r.IntN(113)
			}
			p := netip.PrefixFrom(a, bits)
			items = append(items, p.String())
			nets = append(nets, p.Masked())
		}
		l := newNetworkList(items)
		for i := 0; i < 2000; i++ {
			a := addr4()
			if i%3 == 0 {
				a = addr6()
			}
			want := false
			for _, p := range nets {
				if p.Contains(a) {
					want = true
					break
				}
			}
			if got := l.contains(a); got != want {
				t.Fatalf("round %d: %s in the list: %v, a scan says %v", round, a, got, want)
			}
		}
	}
}

// TestLargeNetworkListThroughTheEngine checks that a detection using
// lib.bad_ip finds an address in the last of thousands of networks, through
// the engine's direct evaluation and through rego's per-detection query.
func TestLargeNetworkListThroughTheEngine(t *testing.T) {
	dir := copyPolicies(t)
	var nets string
	for i := 0; i < 3000; i++ {
		nets += fmt.Sprintf("  - \"10.%d.%d.0/24\"\n", i/256, i%256)
	}
	ti := filepath.Join(dir, "data", "threat_intel.yaml")
	b, err := os.ReadFile(ti)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ti, []byte(strings.Replace(string(b), "cidrs:\n", "cidrs:\n"+nets, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, Config{PolicyDir: dir, SkipTests: true})
	set := e.set.Load()
	if set.lookups.networks["threat_intel.cidrs"] == nil {
		t.Fatal("threat_intel.cidrs is not indexed")
	}
	conn := func(dst string) *event.Event {
		var ev event.Event
		ev.Event.ID, ev.Event.Kind, ev.Event.Dataset, ev.Event.Module = "ev-"+dst, "event", "zeek.conn", "zeek"
		ev.Source.IP, ev.Destination.IP = "192.168.1.10", dst
		ev.Timestamp = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
		return &ev
	}
	ev := e.newEvaluator(context.Background(), set)
	defer ev.close()
	const pkg = "data.vigil.detections.zeek.conn_threat_intel_ip"
	for _, c := range []struct {
		dst  string
		want bool
	}{{"10.11.183.9", true}, {"10.12.0.9", false}} {
		// The query over every detection, driven directly.
		found, err := ev.runAll(eventValue(conn(c.dst), set.need), 0)
		if err != nil {
			t.Fatalf("engine: %v", err)
		}
		got := false
		if found != nil {
			found.Foreach(func(t *ast.Term) {
				if p, ok := t.Value.(*ast.Array); ok && p.Elem(0).Value.Compare(ast.String(pkg)) == 0 {
					got = true
				}
			})
		}
		if got != c.want {
			t.Errorf("engine: connection to %s found %v, want %v", c.dst, got, c.want)
		}
		// Through rego, as errors are attributed.
		i := slices.IndexFunc(set.dets, func(d Detection) bool { return d.ID == "zeek-connection-to-threat-intel-ip" })
		rs, err := set.perDet[i].Eval(context.Background(), rego.EvalInput(map[string]any{
			"event": map[string]any{"dataset": "zeek.conn"}, "source": map[string]any{"ip": "192.168.1.10"}, "destination": map[string]any{"ip": c.dst}}))
		if err != nil {
			t.Fatal(err)
		}
		got = len(rs) > 0 && len(rs[0].Expressions) > 0 && len(rs[0].Expressions[0].Value.([]any)) > 0
		if got != c.want {
			t.Errorf("rego: connection to %s found %v, want %v", c.dst, got, c.want)
		}
	}
}
