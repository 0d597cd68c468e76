package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// eventFields is Event without its methods, so that the custom JSON
// encoding below can use the default one for the ECS fields.
type eventFields Event

// MarshalJSON encodes the event as one ECS document: the ECS fields, then
// each Vendor namespace as a top-level object. A vendor namespace that
// collides with an ECS field name is refused rather than silently shadowed.
//
// The document is written by the reflection-free encoder in json_encode.go;
// its output is identical to marshalReflect's, which it falls back to in
// the rare cases where encoding/json reports an error.
func (e Event) MarshalJSON() ([]byte, error) {
	bp := encBufPool.Get().(*[]byte)
	b, err := e.AppendJSON((*bp)[:0])
	if cap(b) <= maxPooledBuf {
		*bp = b[:0]
		encBufPool.Put(bp)
	}
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// AppendJSON appends to b the document MarshalJSON returns. On error b is
// returned as it was given. Callers that encode many events into one
// buffer (storage's columns) spare a copy and an allocation per event.
func (e *Event) AppendJSON(b []byte) ([]byte, error) {
	start := len(b)
	b, ok := appendECS(b, e)
	if !ok {
		doc, err := marshalReflect(*e)
		if err != nil {
			return b[:start], err
		}
		return append(b[:start], doc...), nil
	}
	if len(e.Vendor) == 0 {
		return b, nil
	}
	var arr [16]string
	keys := arr[:0]
	for k := range e.Vendor {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, reserved := ecsTopLevel[k]; reserved {
			return b[:start], fmt.Errorf("vendor namespace %q collides with an ECS field", k)
		}
	}
	b = b[:len(b)-1]
	for _, k := range keys {
		b = append(b, ',')
		b = appendJSONString(b, k)
		b = append(b, ':')
		n := len(b)
		v := e.Vendor[k]
		if b, ok = appendVendor(b, v, 0); !ok {
			enc, err := json.Marshal(v)
			if err != nil {
				return b[:start], fmt.Errorf("encode vendor namespace %q: %w", k, err)
			}
			b = append(b[:n], enc...)
		}
	}
	return append(b, '}'), nil
}

// marshalReflect is the encoding/json implementation of MarshalJSON.
// MarshalJSON uses it only when encoding/json fails on the ECS fields, so
// that the error is exactly encoding/json's.
func marshalReflect(e Event) ([]byte, error) {
	base, err := json.Marshal(eventFields(e))
	if err != nil {
		return nil, err
	}
	if len(e.Vendor) == 0 {
		return base, nil
	}
	keys := make([]string, 0, len(e.Vendor))
	for k := range e.Vendor {
		if _, reserved := ecsTopLevel[k]; reserved {
			return nil, fmt.Errorf("vendor namespace %q collides with an ECS field", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.Grow(len(base) + 256)
	buf.Write(base[:len(base)-1])
	for _, k := range keys {
		v, err := json.Marshal(e.Vendor[k])
		if err != nil {
			return nil, fmt.Errorf("encode vendor namespace %q: %w", k, err)
		}
		buf.WriteByte(',')
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON decodes an ECS document; top-level keys that are not ECS
// fields land in Vendor, decoded, or as RawJSON when encoding/json cannot
// hold them.
func (e *Event) UnmarshalJSON(data []byte) error {
	var f eventFields
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return err
	}
	for k, raw := range top {
		if _, ok := ecsTopLevel[k]; ok {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			// Valid JSON encoding/json cannot hold (a number beyond
			// float64) stays text rather than losing the event.
			if !json.Valid(raw) {
				return fmt.Errorf("decode %q: %w", k, err)
			}
			v = RawJSON(raw)
		}
		if f.Vendor == nil {
			f.Vendor = make(map[string]any)
		}
		f.Vendor[k] = v
	}
	*e = Event(f)
	return nil
}

// ecsTopLevel lists the top-level keys Event encodes itself.
var ecsTopLevel = map[string]struct{}{
	"@timestamp": {}, "event": {}, "organization": {}, "user": {}, "source": {},
	"destination": {}, "host": {}, "process": {}, "file": {}, "cloud": {},
	"network": {}, "dns": {}, "url": {}, "http": {}, "tls": {}, "email": {},
	"user_agent": {}, "related": {}, "message": {}, "tags": {},
}

// IsECSField reports whether name is a top-level field Event owns, so that a
// parser can tell whether a vendor namespace is free.
func IsECSField(name string) bool {
	_, ok := ecsTopLevel[name]
	return ok
}
