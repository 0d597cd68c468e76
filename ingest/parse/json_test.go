package parse

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/valyala/fastjson"
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
