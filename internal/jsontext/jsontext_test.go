package jsontext

import (
	"encoding/json"
	"reflect"
	"testing"
	"unsafe"

	"github.com/valyala/fastjson"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, text string
		shared     map[string]bool // decoded value → whether it must be a slice of the text
	}{
		{"plain", `{"a":"x","b":{"c":"yz"}}`, map[string]bool{"x": true, "yz": true}},
		{"leading space", " \n\t{\"a\" : \"x\" , \"b\":[\"q\"]}", map[string]bool{"x": true, "q": true}},
		{"escapes are copies", `{"a":"x\"y","b":"\u00e9t\u00e9","c":"plain"}`, map[string]bool{`x"y`: false, "été": false, "plain": true}},
		{"escaped first key", `{"\u0061":"x"}`, map[string]bool{"x": false}},
		{"not an object", `["x"]`, map[string]bool{"x": false}},
	}
	var p fastjson.Parser
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := string([]byte(tt.text)) // a text of its own, as a record's
			v, err := p.Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			src := New(text, v)
			seen := 0
			var walk func(v *fastjson.Value)
			walk = func(v *fastjson.Value) {
				switch v.Type() {
				case fastjson.TypeObject:
					v.GetObject().Visit(func(_ []byte, c *fastjson.Value) { walk(c) })
				case fastjson.TypeArray:
					for _, c := range v.GetArray() {
						walk(c)
					}
				case fastjson.TypeString:
					b := v.GetStringBytes()
					s := src.String(b)
					if s != string(b) {
						t.Fatalf("String(%q) = %q", b, s)
					}
					want, ok := tt.shared[s]
					if !ok {
						t.Fatalf("unexpected value %q", s)
					}
					start := uintptr(unsafe.Pointer(unsafe.StringData(text)))
					at := uintptr(unsafe.Pointer(unsafe.StringData(s)))
					if inText := at >= start && at < start+uintptr(len(text)); inText != want {
						t.Errorf("%q: slice of the text %v, want %v", s, inText, want)
					}
					seen++
				}
			}
			walk(v)
			if seen != len(tt.shared) {
				t.Fatalf("saw %d strings, want %d", seen, len(tt.shared))
			}
		})
	}
	if s := (Text{}).String([]byte("x")); s != "x" {
		t.Fatalf("zero Text: %q", s)
	}
}

// TestDecode checks Decode against encoding/json, from the text and from a
// zero Text.
func TestDecode(t *testing.T) {
	texts := []string{
		`{"a":"x","b":[1,2.5,-0,1e21,true,false,null,{"c":"d\"e"}],"k\u00e9y":{},"n":[]}`,
		` "plain" `, `12`, `null`, `[{"x":[{"y":"z"}]}]`,
	}
	var p fastjson.Parser
	for _, text := range texts {
		var want any
		if err := json.Unmarshal([]byte(text), &want); err != nil {
			t.Fatal(err)
		}
		for _, zero := range []bool{false, true} {
			v, err := p.Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			src := New(text, v)
			if zero {
				src = Text{}
			}
			if got := src.Decode(v); !reflect.DeepEqual(got, want) {
				t.Errorf("Decode(%s), zero Text %v = %#v, want %#v", text, zero, got, want)
			}
		}
	}
	v, _ := p.Parse(`{"big":1e400}`)
	if got := (Text{}).Decode(v); !reflect.DeepEqual(got, map[string]any{"big": nil}) {
		t.Errorf("a number beyond float64 decoded as %#v, want nil", got)
	}
}
