package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// eventFields is Event without its methods, so that the custom JSON
// encoding below can use the default one for the ECS fields.
type eventFields Event

// MarshalJSON encodes the event as one ECS document: the ECS fields, then
// each Vendor namespace as a top-level object. A vendor namespace that
// collides with an ECS field name is refused rather than silently shadowed.
func (e Event) MarshalJSON() ([]byte, error) {
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
// fields land in Vendor.
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
			return fmt.Errorf("decode %q: %w", k, err)
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
