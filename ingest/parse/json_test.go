package parse

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
)

// within reports whether s lies inside text's memory.
func within(s, text string) bool {
	if len(s) == 0 {
		return false
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(text)))
	return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(text))
}

// TestRecordTextSharesUnescapedStrings checks that decoded strings are the
// record's own bytes where they can be and right copies where they cannot.
func TestRecordTextSharesUnescapedStrings(t *testing.T) {
	cases := []struct {
		name, text string
		key        string
		want       string
		shared     bool
	}{
		{"plain", `{"a":"alice","b":"bob"}`, "b", "bob", true},
		{"leading space", " \n {\"a\": 1, \"b\": \"bob\"}", "b", "bob", true},
		{"escaped value", `{"a":"x","b":"C:\\Windows\\cmd.exe"}`, "b", `C:\Windows\cmd.exe`, false},
		{"after an escape", `{"a":"\u00e9t\u00e9","b":"bob"}`, "b", "bob", true},
		{"escaped first key", `{"\u0061":"x","b":"bob"}`, "b", "bob", false},
		{"unicode", `{"a":"x","b":"Zürich"}`, "b", "Zürich", true},
		{"empty", `{"a":"x","b":""}`, "b", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p fastjson.Parser
			v, err := p.Parse(c.text)
			if err != nil {
				t.Fatal(err)
			}
			rt := newRecordText(c.text, v)
			m := rt.toMap(v)
			got, _ := m[c.key].(string)
			if got != c.want {
				t.Fatalf("%s = %q, want %q", c.key, got, c.want)
			}
			if within(got, c.text) != c.shared {
				t.Errorf("%s shares the record text: %v, want %v", c.key, within(got, c.text), c.shared)
			}
		})
	}
}

// FuzzRecordText checks that decoding through the record text gives what
// copying every string gives, whatever the record.
func FuzzRecordText(f *testing.F) {
	for _, file := range []string{"o365.jsonl", "okta.jsonl", "windows_flat.jsonl", "zeek.jsonl", "signin.jsonl"} {
		for _, rec := range readRecords(f, file) {
			f.Add(string(rec.Value))
		}
	}
	f.Add(`{"a":"\"b\"","c":["d","\u0065"],"f":{"g":"h\\i"}}`)
	f.Fuzz(func(t *testing.T, text string) {
		var p fastjson.Parser
		v, err := p.Parse(text)
		if err != nil {
			return
		}
		want := (*recordText)(nil).toAny(v)
		v, _ = p.Parse(text)
		got := newRecordText(text, v).toAny(v)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded %q as %v, want %v", text, got, want)
		}
	})
}

// TestParsedStringsShareRecord checks the parsers hand the record text to
// the decoder: a windows event's EventData values are slices of the
// event's original.
func TestParsedStringsShareRecord(t *testing.T) {
	r := NewRegistry()
	evs, err := r.Parse(SourceWindows, Record{Value: []byte(`{"EventID":4624,"Channel":"Security","Hostname":"ws1","@timestamp":"2026-11-01T10:00:00Z","TargetUserName":"alice","LogonType":"3"}`)})
	if err != nil {
		t.Fatal(err)
	}
	e := evs[0]
	if e.User.Name != "alice" || !within(e.User.Name, e.Event.Original) {
		t.Errorf("user.name %q is not a slice of the original %q", e.User.Name, e.Event.Original)
	}
	if !strings.Contains(e.Event.Original, `"LogonType":"3"`) {
		t.Errorf("original = %q", e.Event.Original)
	}
}

// The related lists share one allocation: appending to one must not write
// into the next, and their values are what addUnique gives one by one.
func TestRelatedListsAreIndependent(t *testing.T) {
	var e event.Event
	e.User.Name = "alice"
	e.User.Target = &event.TargetUser{Name: "bob"}
	e.Source.IP, e.Destination.IP = "203.0.113.7", "203.0.113.7"
	e.Host.Name, e.Destination.Domain = "web-1", "example.com"
	related(&e)
	want := event.Related{User: []string{"alice", "bob"}, IP: []string{"203.0.113.7"}, Hosts: []string{"web-1", "example.com"}}
	if !reflect.DeepEqual(e.Related, want) {
		t.Fatalf("related = %+v, want %+v", e.Related, want)
	}
	e.Related.User = append(e.Related.User, "carol")
	e.Related.IP = append(e.Related.IP, "198.51.100.1")
	want.User = append(want.User, "carol")
	want.IP = append(want.IP, "198.51.100.1")
	if !reflect.DeepEqual(e.Related, want) {
		t.Errorf("after appends related = %+v, want %+v", e.Related, want)
	}
	var none event.Event
	related(&none)
	if none.Related.User != nil || none.Related.IP != nil || none.Related.Hosts != nil {
		t.Errorf("an event without entities has related %+v", none.Related)
	}
}

func TestLabelsAreSharedAndCapped(t *testing.T) {
	a, b := labels("process", "start"), labels("process", "start")
	if &a[0] != &b[0] {
		t.Error("the same labels give two lists")
	}
	if cap(a) != len(a) {
		t.Errorf("cap %d, len %d: an append would write into the shared list", cap(a), len(a))
	}
	if got := labels("process"); len(got) != 1 || got[0] != "process" {
		t.Errorf("labels(process) = %q, shares the key of a longer list", got)
	}
	if got := labels("a", "b", "c", "d"); !reflect.DeepEqual(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("four labels = %q", got)
	}
}

func TestCanonicalIPText(t *testing.T) {
	for _, tc := range []struct{ in, ip string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"2001:DB8:0:0::1", "2001:db8::1"},
		{" 10.0.0.1 ", "10.0.0.1"},
	} {
		if ip, _ := splitHostPort(tc.in); ip != tc.ip {
			t.Errorf("splitHostPort(%q) = %q, want %q", tc.in, ip, tc.ip)
		}
	}
}
