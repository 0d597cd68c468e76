package storage

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/jsontext"
)

// Limits of the flattened vendor map (the full document is in doc).
const (
	maxFlatFields   = 256
	maxFlatValueLen = 4096
)

// fieldRow is one row of the events table's fields column: the vendor
// fields as dotted keys and string values, sorted by key.
//
// It is not a map[string]string because of what the map costs on the hot
// path: building a Go map per event, then clickhouse-go reading it back
// through reflection, boxing every key and value. A fieldRow holds its keys
// already boxed (shared by every row of a chunk) and hands out its values
// as pointers, which box without allocating; clickhouse-go's Map column
// appends it through column.IterableOrderedMap. The row is its own
// iterator: a row is appended by one goroutine at a time.
type fieldRow struct {
	keys []any // dotted keys: strings, boxed once per chunk
	vals []string
	at   int // iteration position
}

// noFields is the fields of every row when the vendor namespaces are kept
// in doc only. It is never modified.
var noFields fieldRow

func (r *fieldRow) Put(k, v any) {
	s, _ := v.(string)
	r.keys, r.vals = append(r.keys, k), append(r.vals, s)
}

func (r *fieldRow) Iterator() column.MapIterator {
	if len(r.keys) == 0 {
		return noFieldsIter{} // writes nothing: noFields is shared
	}
	r.at = -1
	return r
}

type noFieldsIter struct{}

func (noFieldsIter) Next() bool { return false }
func (noFieldsIter) Key() any   { return nil }
func (noFieldsIter) Value() any { return nil }

func (r *fieldRow) Next() bool { r.at++; return r.at < len(r.keys) }
func (r *fieldRow) Key() any   { return r.keys[r.at] }
func (r *fieldRow) Value() any { return &r.vals[r.at] }

// Len is the number of fields.
func (r *fieldRow) Len() int { return len(r.keys) }

// Map returns the fields as a map.
func (r *fieldRow) Map() map[string]string {
	m := make(map[string]string, r.Len())
	for i, k := range r.keys {
		m[k.(string)] = r.vals[i]
	}
	return m
}

// flattener turns Vendor namespaces into dotted keys with string values:
// {"aws":{"cloudtrail":{"eventSource":"iam"}}} → aws.cloudtrail.eventSource=iam.
// Arrays are JSON-encoded; nulls are left out. One flattener serves one
// chunk: the dotted keys recur from event to event, so each is built and
// boxed once per chunk instead of once per field.
type flattener struct {
	keys   map[string]any // dotted key → the same key, boxed
	parser fastjson.Parser
	text   jsontext.Text // of the vendor value being walked
	buf    []byte
	row    []pair
	// dotted is set when a vendor key itself contains a dot, the only
	// way two fields can flatten to the same key.
	dotted bool
}

type pair struct {
	k any // the dotted key, a string, boxed once per chunk
	v string
}

func newFlattener() *flattener { return &flattener{keys: make(map[string]any, 256)} }

func (f *flattener) flatten(vendor map[string]any) *fieldRow {
	f.row, f.dotted = f.row[:0], false
	for ns, v := range vendor {
		f.buf = append(f.buf[:0], ns...)
		f.dotted = f.dotted || strings.IndexByte(ns, '.') >= 0
		f.walk(v)
	}
	if f.dotted {
		// {"a.b": 1} and {"a": {"b": 2}} both flatten to a.b; keep one,
		// the same one every time: the smaller value. (Without dotted
		// keys, sorting would only cost time: a map column's order means
		// nothing.)
		slices.SortFunc(f.row, func(a, b pair) int {
			if c := strings.Compare(a.k.(string), b.k.(string)); c != 0 {
				return c
			}
			return strings.Compare(a.v, b.v)
		})
		f.row = slices.CompactFunc(f.row, func(a, b pair) bool { return a.k == b.k })
	}
	r := &fieldRow{keys: make([]any, len(f.row)), vals: make([]string, len(f.row))}
	for i, p := range f.row {
		r.keys[i], r.vals[i] = p.k, p.v
	}
	return r
}

// walk adds v under the dotted key in f.buf.
func (f *flattener) walk(v any) {
	if len(f.row) >= maxFlatFields {
		return
	}
	var s string
	switch x := v.(type) {
	case nil:
		return
	case map[string]any:
		n := len(f.buf)
		for k, vv := range x {
			f.buf = append(append(f.buf[:n], '.'), k...)
			f.dotted = f.dotted || strings.IndexByte(k, '.') >= 0
			f.walk(vv)
		}
		f.buf = f.buf[:n]
		return
	case map[string]string:
		n := len(f.buf)
		for k, vv := range x {
			if len(f.row) >= maxFlatFields {
				break
			}
			f.buf = append(append(f.buf[:n], '.'), k...)
			f.dotted = f.dotted || strings.IndexByte(k, '.') >= 0
			f.add(vv)
		}
		f.buf = f.buf[:n]
		return
	case string:
		s = x
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	case json.Number:
		s = x.String()
	case event.RawJSON:
		v, err := f.parser.Parse(string(x))
		if err != nil {
			return
		}
		f.text = jsontext.New(string(x), v)
		f.walkJSON(v)
		return
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return
		}
		s = string(b)
	}
	f.add(s)
}

// add adds the value s under the dotted key in f.buf.
func (f *flattener) add(s string) {
	if len(s) > maxFlatValueLen {
		s = s[:maxFlatValueLen]
	}
	k, ok := f.keys[string(f.buf)]
	if !ok {
		k = string(f.buf)
		f.keys[k.(string)] = k
	}
	f.row = append(f.row, pair{k, s})
}

// walkJSON is walk over a vendor value the parser kept as text: the same
// keys and values as walk gives for that text decoded.
func (f *flattener) walkJSON(v *fastjson.Value) {
	if len(f.row) >= maxFlatFields {
		return
	}
	switch v.Type() {
	case fastjson.TypeObject:
		n := len(f.buf)
		v.GetObject().Visit(func(k []byte, c *fastjson.Value) {
			f.buf = append(append(f.buf[:n], '.'), k...)
			f.dotted = f.dotted || bytes.IndexByte(k, '.') >= 0
			f.walkJSON(c)
		})
		f.buf = f.buf[:n]
	case fastjson.TypeString:
		f.add(f.text.String(v.GetStringBytes()))
	case fastjson.TypeNumber:
		if x := v.GetFloat64(); !math.IsInf(x, 0) && !math.IsNaN(x) {
			f.add(strconv.FormatFloat(x, 'f', -1, 64))
		}
	case fastjson.TypeTrue:
		f.add("true")
	case fastjson.TypeFalse:
		f.add("false")
	case fastjson.TypeArray:
		// Arrays are stored as encoding/json writes them decoded.
		b, err := json.Marshal(f.text.Decode(v))
		if err == nil {
			f.add(string(b))
		}
	}
}
