package detect

import (
	"math"
	"strconv"
	"unsafe"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/jsontext"
)

// rawParser parses the vendor values parsers keep as text
// (event.RawJSON), remembering the last one: the rule index and the input
// of one event often read the same value. It knows a text by its address,
// which another event's text may take once this one is freed: forget
// before each event. The values it returns are valid until the next parse;
// nothing built from them may point into them.
type rawParser struct {
	p    fastjson.Parser
	src  string // the text last parsed
	text jsontext.Text
	v    *fastjson.Value
	fail bool
}

func (rp *rawParser) forget() { rp.src, rp.v, rp.text = "", nil, jsontext.Text{} }

func (rp *rawParser) parse(raw event.RawJSON) (*fastjson.Value, bool) {
	s := string(raw)
	if s == "" {
		return nil, false
	}
	if len(s) != len(rp.src) || unsafe.StringData(s) != unsafe.StringData(rp.src) {
		rp.src = s
		v, err := rp.p.Parse(s)
		rp.v, rp.fail = v, err != nil
		rp.text = jsontext.New(s, v)
	}
	return rp.v, !rp.fail
}

// holdsRaw reports whether a vendor value holds text anywhere in its
// nested maps.
func holdsRaw(v any) bool {
	switch x := v.(type) {
	case event.RawJSON:
		return true
	case map[string]any:
		for _, c := range x {
			if holdsRaw(c) {
				return true
			}
		}
	}
	return false
}

// vendorInput returns the input member for the vendor value v: v itself
// when it holds no text (the lazy input converts it on access), else the
// AST of the paths in need, converted now.
func (ib *inputBuilder) vendorInput(v any, need *pathSet) any {
	if !holdsRaw(v) {
		return v
	}
	return ib.vendorAST(v, need)
}

// vendorAST converts v, keeping only the paths in need.
func (ib *inputBuilder) vendorAST(v any, need *pathSet) ast.Value {
	switch x := v.(type) {
	case event.RawJSON:
		jv, ok := ib.raw.parse(x)
		if !ok {
			return ast.Null{}
		}
		return jsonAST(jv, need, ib.raw.text)
	case map[string]any:
		kvs := make([][2]*ast.Term, 0, len(x))
		for k, c := range x {
			sub, ok := need.want(k)
			if !ok {
				continue
			}
			kvs = append(kvs, [2]*ast.Term{need.keyTerm(k), ast.NewTerm(ib.vendorAST(c, sub))})
		}
		return ast.NewObject(kvs...)
	}
	if av, err := ast.InterfaceToValue(v); err == nil {
		return av
	}
	return ast.Null{}
}

// jsonAST converts a value parsed from text as ast.InterfaceToValue
// converts the same value decoded by encoding/json, keeping only the
// object paths in need. Strings are slices of text or copies, never of the
// parser's buffer, which the next parse reuses.
func jsonAST(v *fastjson.Value, need *pathSet, text jsontext.Text) ast.Value {
	switch v.Type() {
	case fastjson.TypeObject:
		o := v.GetObject()
		if need != nil && !need.all {
			// Policies read a few keys of a record's many: probe them
			// rather than visit every key. A probe takes the first of
			// duplicated keys, as the parsers and the rule index do.
			kvs := make([][2]*ast.Term, 0, len(need.list))
			for _, sub := range need.list {
				if c := o.Get(sub.name); c != nil {
					kvs = append(kvs, [2]*ast.Term{sub.key, ast.NewTerm(jsonAST(c, sub, text))})
				}
			}
			return ast.NewObject(kvs...)
		}
		// The whole subtree.
		kvs := make([][2]*ast.Term, 0, o.Len())
		o.Visit(func(k []byte, c *fastjson.Value) {
			kvs = append(kvs, [2]*ast.Term{ast.StringTerm(string(k)), ast.NewTerm(jsonAST(c, nil, text))})
		})
		return ast.NewObject(kvs...)
	case fastjson.TypeArray:
		a := v.GetArray()
		ts := make([]*ast.Term, len(a))
		for i, c := range a {
			ts[i] = ast.NewTerm(jsonAST(c, nil, text))
		}
		return ast.NewArray(ts...)
	case fastjson.TypeString:
		return ast.String(text.String(v.GetStringBytes()))
	case fastjson.TypeNumber:
		if f := v.GetFloat64(); !math.IsInf(f, 0) && !math.IsNaN(f) {
			return ast.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	case fastjson.TypeTrue:
		return ast.Boolean(true)
	case fastjson.TypeFalse:
		return ast.Boolean(false)
	}
	return ast.Null{}
}

// jsonScalar returns the AST of a parsed scalar; ok is false for an object
// or an array.
func jsonScalar(v *fastjson.Value, text jsontext.Text) (ast.Value, bool) {
	switch v.Type() {
	case fastjson.TypeObject, fastjson.TypeArray:
		return nil, false
	}
	return jsonAST(v, nil, text), true
}
