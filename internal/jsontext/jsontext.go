// Package jsontext lets the strings fastjson decodes from a JSON text be
// slices of that text instead of copies.
//
// fastjson parses a copy of its input in a buffer it reuses for the next
// parse, so a string it returns must be copied before that. A string
// without escapes is the same bytes at the same offset in the text the
// caller holds, which lives as long as the caller needs it (an event's
// original record, its vendor fields). A Text finds where the parser's
// copy lies and hands out slices of the caller's text instead: most of a
// record's strings have no escapes, which spares an allocation for each.
package jsontext

import (
	"math"
	"strings"
	"unsafe"

	"github.com/valyala/fastjson"
)

// Text is a JSON text and where the parser's copy of it lies in memory.
// The zero Text copies every string.
type Text struct {
	text string
	// base is the address the parser's copy of text[0] would have; 0 when
	// it could not be found.
	base uintptr
}

// New finds the parser's copy of text, which root was parsed from,
// through the first key of root: it sits unescaped right after the text's
// first quote in both.
func New(text string, root *fastjson.Value) Text {
	t := Text{text: text}
	if root == nil || root.Type() != fastjson.TypeObject {
		return t
	}
	at := strings.IndexByte(text, '"') + 1
	first := true
	root.GetObject().Visit(func(k []byte, _ *fastjson.Value) {
		if !first {
			return
		}
		first = false
		if at > 0 && len(k) > 0 && strings.HasPrefix(text[at:], string(k)) {
			t.base = uintptr(unsafe.Pointer(unsafe.SliceData(k))) - uintptr(at)
		}
	})
	return t
}

// String returns b, decoded from the text, as a string: a slice of the
// text when the text holds the same bytes where the parser's copy of b
// lies, else a copy. The comparison makes the slice right whatever the
// parser did with its buffer; the address only says where to look.
func (t Text) String(b []byte) string {
	if t.base == 0 || len(b) == 0 {
		return string(b)
	}
	off := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - t.base
	if off < uintptr(len(t.text)) && uintptr(len(b)) <= uintptr(len(t.text))-off {
		if s := t.text[off : off+uintptr(len(b))]; s == string(b) {
			return s
		}
	}
	return string(b)
}

// Decode converts v, parsed from the text, into what encoding/json decodes
// the same JSON into: map[string]any, []any, string, float64, bool or nil.
// A number beyond float64 becomes nil, as encoding/json cannot hold it.
// Keys and strings are slices of the text where String can make them so.
func (t Text) Decode(v *fastjson.Value) any {
	switch v.Type() {
	case fastjson.TypeObject:
		o := v.GetObject()
		m := make(map[string]any, o.Len())
		o.Visit(func(k []byte, c *fastjson.Value) { m[t.String(k)] = t.Decode(c) })
		return m
	case fastjson.TypeArray:
		a := v.GetArray()
		s := make([]any, len(a))
		for i, c := range a {
			s[i] = t.Decode(c)
		}
		return s
	case fastjson.TypeString:
		return t.String(v.GetStringBytes())
	case fastjson.TypeNumber:
		if f := v.GetFloat64(); !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	case fastjson.TypeTrue:
		return true
	case fastjson.TypeFalse:
		return false
	}
	return nil
}
