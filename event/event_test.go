package event

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEventJSONRoundTrip(t *testing.T) {
	ev := Event{
		Timestamp:    time.Date(2026, 3, 1, 12, 0, 0, 123e6, time.UTC),
		Event:        Meta{ID: "ev-1", Kind: "event", Category: []string{"authentication"}, Action: "ConsoleLogin", Outcome: "success", Dataset: "aws.cloudtrail"},
		Organization: Organization{ID: "acme"},
		User:         User{Name: "alice", Target: &TargetUser{Name: "bob"}},
		Source:       Endpoint{IP: "203.0.113.7", Geo: Geo{CountryISOCode: "NL"}},
		Related:      Related{User: []string{"alice", "bob"}, IP: []string{"203.0.113.7"}},
		Vendor: map[string]any{
			"aws": map[string]any{"cloudtrail": map[string]any{"eventName": "ConsoleLogin", "mfa": false}},
		},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	for _, want := range []string{`"@timestamp":"2026-03-01T12:00:00.123Z"`, `"organization":{"id":"acme"}`, `"aws":{"cloudtrail":{"eventName":"ConsoleLogin","mfa":false}}`, `"target":{"name":"bob"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("encoding lacks %s:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), `"process"`) {
		t.Errorf("empty field sets must be omitted:\n%s", b)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if !reflect.DeepEqual(ev, back) {
		t.Errorf("round trip changed the event:\n got %#v\nwant %#v", back, ev)
	}
}

func TestMarshalRejectsVendorCollision(t *testing.T) {
	ev := Event{Vendor: map[string]any{"user": "x"}}
	if _, err := json.Marshal(ev); err == nil {
		t.Fatal("a vendor namespace named like an ECS field must be refused")
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		name string
		want Severity
		ok   bool
	}{
		{"critical", SeverityCritical, true},
		{"HIGH", SeverityHigh, true},
		{"info", SeverityInfo, true},
		{"severe", SeverityUnknown, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseSeverity(tc.name)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("ParseSeverity(%q) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
			}
		})
	}
	b, _ := json.Marshal(struct{ S Severity }{SeverityHigh})
	if string(b) != `{"S":"high"}` {
		t.Fatalf("severity encodes as %s", b)
	}
}

func TestStableID(t *testing.T) {
	a := StableID("inc-", "t1", "rule", "ip:1.2.3.4")
	if a != StableID("inc-", "t1", "rule", "ip:1.2.3.4") {
		t.Fatal("same parts must give the same id")
	}
	if a == StableID("inc-", "t1", "ruleip:1.2.3.4") || a == StableID("inc-", "t1r", "ule", "ip:1.2.3.4") {
		t.Fatal("different splits of the same text must give different ids")
	}
	if !strings.HasPrefix(a, "inc-") || len(a) != len("inc-")+24 {
		t.Fatalf("unexpected id shape %q", a)
	}
}

// TestStableIDDigest pins the id scheme: ids are stored, so a change to how
// they are derived would give a replayed event or alert a second id.
func TestStableIDDigest(t *testing.T) {
	want := func(prefix string, content []byte, parts ...string) string {
		var joined []byte
		for _, p := range parts {
			joined = append(append(joined, p...), 0)
		}
		sum := sha256.Sum256(append(joined, content...))
		return prefix + hex.EncodeToString(sum[:12])
	}
	long := strings.Repeat("x", 1000)
	cases := []struct {
		prefix  string
		content []byte
		parts   []string
	}{
		{"ev-", nil, []string{"aws.cloudtrail", "e1"}},
		{"al-", nil, nil},
		{"ev-", []byte(`{"a":1}`), []string{"zeek", "raw", "0", "17", "0"}},
		{"inc-", []byte(long), []string{long, "", long}},
	}
	for _, c := range cases {
		if got, w := StableIDOf(c.prefix, c.content, c.parts...), want(c.prefix, c.content, c.parts...); got != w {
			t.Errorf("StableIDOf(%q, %d bytes, %q) = %s, want %s", c.prefix, len(c.content), c.parts, got, w)
		}
	}
	// A literal, so that the reference above cannot drift with the code.
	if got, w := StableID("ev-", "zeek", "C1"), "ev-2b9cd934773227405626a656"; got != w {
		t.Errorf("StableID(ev-, zeek, C1) = %s, want %s", got, w)
	}
}

// TestUnmarshalKeepsUndecodableVendorValues checks that a document whose
// vendor part holds valid JSON encoding/json cannot decode (a number
// beyond float64, which a source may send and a parser keeps as text)
// reads back with that namespace as text, and encodes to the same text.
func TestUnmarshalKeepsUndecodableVendorValues(t *testing.T) {
	doc := `{"@timestamp":"2026-01-02T03:04:05Z","event":{"id":"e1"},"zeek":{"conn":{"big":1e400,"uid":"C1"}}}`
	var e Event
	if err := json.Unmarshal([]byte(doc), &e); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if got, want := e.Vendor["zeek"], RawJSON(`{"conn":{"big":1e400,"uid":"C1"}}`); got != want {
		t.Fatalf("vendor zeek = %#v, want %#v", got, want)
	}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if !strings.Contains(string(out), `"zeek":{"conn":{"big":1e400,"uid":"C1"}}`) {
		t.Fatalf("re-encoded document lost the vendor text: %s", out)
	}
	if err := json.Unmarshal([]byte(`{"event":{"id":"e1"},"zeek":{"a":}}`), &e); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}

func TestDecodeVendor(t *testing.T) {
	v := map[string]any{"aws": map[string]any{"cloudtrail": RawJSON(` {"a":[1,"x"],"b":{"c":null}} `)}, "n": 2.0}
	got, err := DecodeVendor(v)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"aws": map[string]any{"cloudtrail": map[string]any{"a": []any{1.0, "x"}, "b": map[string]any{"c": nil}}}, "n": 2.0}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeVendor = %#v, want %#v", got, want)
	}
	if _, err := DecodeVendor(map[string]any{"x": map[string]any{"y": RawJSON(`{"big":1e400}`)}}); err == nil || !strings.Contains(err.Error(), "x: y:") {
		t.Fatalf("error %v, want one naming the path x: y:", err)
	}
}
