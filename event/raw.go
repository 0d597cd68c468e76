package event

import (
	"encoding/json"
	"errors"
	"fmt"
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

// rawStop marks the bytes appendRawJSON must look at: outside strings a
// quote and whitespace (rawStop&1), inside strings a quote, a backslash
// and what encoding/json escapes (rawStop&2). Every other byte is copied
// as it is, in runs.
var rawStop = func() (t [256]uint8) {
	for _, c := range []byte{'"', ' ', '\t', '\n', '\r'} {
		t[c] |= 1
	}
	for _, c := range []byte{'"', '\\', '<', '>', '&', 0xE2} {
		t[c] |= 2
	}
	return t
}()

// appendRawJSON appends the valid JSON text s as encoding/json writes what
// a json.Marshaler returns: whitespace between tokens dropped, and <, >, &,
// U+2028 and U+2029 escaped.
func appendRawJSON(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		// Outside a string.
		for i < len(s) && rawStop[s[i]]&1 == 0 {
			i++
		}
		if i == len(s) {
			break
		}
		if s[i] != '"' {
			b = append(b, s[start:i]...)
			i++
			start = i
			continue
		}
		// Inside a string, from its opening quote.
		for i++; i < len(s); {
			for i < len(s) && rawStop[s[i]]&2 == 0 {
				i++
			}
			if i == len(s) {
				break
			}
			c := s[i]
			if c == '"' {
				i++
				break
			}
			switch c {
			case '\\':
				i += 2
			case '<', '>', '&':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
				i++
				start = i
			default: // 0xE2
				if i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xA8 {
					b = append(b, s[start:i]...)
					b = append(b, '\\', 'u', '2', '0', '2', hex[s[i+2]&0xF])
					i += 3
					start = i
				} else {
					i++
				}
			}
		}
	}
	return append(b, s[start:]...)
}

// DecodeVendor returns v (a Vendor value) with every RawJSON in it, at any
// depth of its maps, decoded: the values encoding/json gives for the same
// document, as in an event read back from storage.
func DecodeVendor(v any) (any, error) {
	switch x := v.(type) {
	case RawJSON:
		return x.Decode()
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			d, err := DecodeVendor(c)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = d
		}
		return out, nil
	}
	return v, nil
}
