package detect

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func TestDataCache(t *testing.T) {
	var c dataCache
	ref := ast.MustParseRef
	intel := ast.MustParseTerm(`{"ips": {"192.0.2.66": "c2"}, "cidrs": ["192.0.2.128/25"]}`).Value
	c.Put(ref("data.vigil.threat_intel"), intel)
	tests := []struct {
		ref  string
		want string // "" for nil
	}{
		{"data.vigil.threat_intel", `{"ips": {"192.0.2.66": "c2"}, "cidrs": ["192.0.2.128/25"]}`},
		{`data.vigil.threat_intel.ips["192.0.2.66"]`, `"c2"`},
		{"data.vigil.threat_intel.cidrs[0]", `"192.0.2.128/25"`},
		{`data.vigil.threat_intel.ips["198.51.100.1"]`, ""},
		{"data.vigil.assets", ""},
		{"data.vigil", ""},
	}
	for _, tc := range tests {
		got := c.Get(ref(tc.ref))
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("Get(%s) = %v, want nil", tc.ref, got)
		case tc.want != "" && (got == nil || got.Compare(ast.MustParseTerm(tc.want).Value) != 0):
			t.Errorf("Get(%s) = %v, want %s", tc.ref, got, tc.want)
		}
	}
	// A document put above cached ones replaces them.
	c.Put(ref("data.vigil"), ast.MustParseTerm(`{"threat_intel": {"ips": {}}}`).Value)
	if got := c.Get(ref(`data.vigil.threat_intel.ips["192.0.2.66"]`)); got != nil {
		t.Errorf("after replacing data.vigil: %v", got)
	}
}

func TestRuleCache(t *testing.T) {
	c := newRuleCache()
	a, b := ast.MustParseRef("data.lib.a"), ast.MustParseRef("data.lib.b")
	one, two := ast.IntNumberTerm(1), ast.IntNumberTerm(2)

	c.Put(a, one)
	c.Put(b, nil)
	if v, undef := c.Get(a); v != one || undef {
		t.Fatalf("Get(a) = %v, %v", v, undef)
	}
	if v, undef := c.Get(b); v != nil || !undef {
		t.Fatalf("Get(b) = %v, %v; want undefined", v, undef)
	}
	if keys := c.Keys(); len(keys) != 1 || !keys[0].Equal(a) {
		t.Fatalf("Keys() = %v", keys)
	}

	// A frame (with ... as) sees none of its parent's entries and leaves
	// none behind.
	c.Push()
	if v, undef := c.Get(a); v != nil || undef {
		t.Fatalf("Get(a) in a new frame = %v, %v", v, undef)
	}
	c.Put(a, two)
	if v, _ := c.Get(a); v != two {
		t.Fatalf("Get(a) in the frame = %v", v)
	}
	c.Pop()
	if v, _ := c.Get(a); v != one {
		t.Fatalf("Get(a) after Pop = %v", v)
	}

	// A value recorded after undefined is defined.
	c.Put(b, two)
	if v, undef := c.Get(b); v != two || undef {
		t.Fatalf("Get(b) = %v, %v", v, undef)
	}

	c.reset()
	if v, undef := c.Get(a); v != nil || undef {
		t.Fatalf("Get(a) after reset = %v, %v", v, undef)
	}
	c.Pop() // the base frame stays
	c.Put(a, one)
	if v, _ := c.Get(a); v != one {
		t.Fatalf("Get(a) after popping the base frame = %v", v)
	}
}

// The evaluator reuses the buffer of a reference it put: the cache keeps
// its own copy.
func TestRuleCacheKeepsItsOwnKeys(t *testing.T) {
	c := newRuleCache()
	// A function call's key: the function, then its arguments.
	fn := ast.NewTerm(ast.MustParseRef("data.vigil.lib.bad_ip"))
	key := ast.Ref{fn, ast.StringTerm("192.0.2.66")}
	buf := append(ast.Ref(nil), key...)
	c.Put(buf, ast.BooleanTerm(true))
	buf[1] = ast.StringTerm("198.51.100.1")
	if v, _ := c.Get(key); v == nil || v.Value.Compare(ast.Boolean(true)) != 0 {
		t.Errorf("Get(%v) after the caller's buffer changed = %v, want true", key, v)
	}
	if v, undefined := c.Get(buf); v != nil || undefined {
		t.Errorf("Get(%v), never put, = %v (undefined %v)", buf, v, undefined)
	}
}
