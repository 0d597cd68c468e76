package event

import (
	"encoding/json"
	"errors"
)

// RawJSON is a JSON value exactly as a source sent it. A parser keeps a
// record's own fields this way (as a Vendor value) instead of decoding
// them into maps: most of them are never read by a detection, and storing
// them needs only a copy. It must hold valid JSON; whitespace between
// tokens is allowed and dropped when the value is encoded.
type RawJSON string

var errInvalidRaw = errors.New("raw vendor value is not valid JSON")

// MarshalJSON returns the value compacted.
func (r RawJSON) MarshalJSON() ([]byte, error) {
	if !json.Valid([]byte(r)) {
		return nil, errInvalidRaw
	}
	return appendRawJSON(nil, string(r)), nil
}

// Decode returns the value as encoding/json decodes it into an any:
// map[string]any, []any, string, float64, bool or nil.
func (r RawJSON) Decode() (any, error) {
	var v any
	if err := json.Unmarshal([]byte(r), &v); err != nil {
		return nil, err
	}
	return v, nil
}

// appendRawJSON appends the valid JSON text s as encoding/json writes what
// a json.Marshaler returns: whitespace between tokens dropped, and <, >, &,
// U+2028 and U+2029 escaped.
func appendRawJSON(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	inString, escaped := false, false
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !inString {
			switch c {
			case '"':
				inString = true
			case ' ', '\t', '\n', '\r':
				b = append(b, s[start:i]...)
				start = i + 1
			}
			continue
		}
		if escaped {
			escaped = false
			continue
		}
		switch c {
		case '\\':
			escaped = true
		case '"':
			inString = false
		case '<', '>', '&':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			start = i + 1
		case 0xE2:
			if i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xA8 {
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hex[s[i+2]&0xF])
				i += 2
				start = i + 1
			}
		}
	}
	return append(b, s[start:]...)
}
