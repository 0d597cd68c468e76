package event

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The encoder below writes an Event's ECS document without reflection. Its
// output is byte-for-byte what encoding/json produces for the same value
// (field order, omitempty/omitzero, HTML-safe string escaping, float and
// time formatting); the tests compare the two on real and fuzzed events.
// Whenever encoding/json would fail (a non-finite float, a time it cannot
// represent, a cyclic vendor value), the encoder gives up and the caller
// falls back to encoding/json, so errors are unchanged too.

// encBufPool holds scratch buffers; MarshalJSON copies the finished
// document out into one exactly sized allocation.
var encBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledBuf bounds the scratch buffers kept for reuse.
const maxPooledBuf = 256 << 10

// maxVendorDepth is where the vendor encoder stops and lets encoding/json
// report the cycle (or encode the deep value) itself.
const maxVendorDepth = 256

// jw writes the members of one JSON object. Keys are passed pre-quoted with
// their colon, e.g. `"name":`.
type jw struct {
	b     []byte
	comma bool
}

func (w *jw) key(k string) {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, k...)
	w.comma = true
}

func (w *jw) open(k string) {
	w.key(k)
	w.b = append(w.b, '{')
	w.comma = false
}

func (w *jw) close() {
	w.b = append(w.b, '}')
	w.comma = true
}

// str writes an omitempty string member.
func (w *jw) str(k, v string) {
	if v != "" {
		w.key(k)
		w.b = appendJSONString(w.b, v)
	}
}

// int writes an omitempty integer member.
func (w *jw) int(k string, v int64) {
	if v != 0 {
		w.key(k)
		w.b = strconv.AppendInt(w.b, v, 10)
	}
}

// strs writes an omitempty []string member.
func (w *jw) strs(k string, v []string) {
	if len(v) == 0 {
		return
	}
	w.key(k)
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendJSONString(w.b, s)
	}
	w.b = append(w.b, ']')
}

// time writes a time member as time.Time.MarshalJSON does; it reports false
// for a time that method refuses.
func (w *jw) time(k string, t time.Time) bool {
	w.key(k)
	w.b = append(w.b, '"')
	n0 := len(w.b)
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	// The checks of time.Time.appendStrictRFC3339.
	b := w.b
	if b[n0+len("9999")] != '-' {
		return false
	}
	if b[len(b)-1] != 'Z' {
		c := b[len(b)-len("Z07:00")]
		h := 10*(b[len(b)-len("07:00")]-'0') + (b[len(b)-len("7:00")] - '0')
		if ('0' <= c && c <= '9') || h >= 24 {
			return false
		}
	}
	w.b = append(w.b, '"')
	return true
}

// float writes a float64 member as encoding/json does; it reports false
// for NaN and infinities.
func (w *jw) float(k string, f float64) bool {
	w.key(k)
	var ok bool
	w.b, ok = appendJSONFloat(w.b, f)
	return ok
}

// appendECS appends the ECS fields of e as one JSON object, exactly as
// encoding/json encodes eventFields(e). ok is false when encoding/json
// would fail.
func appendECS(b []byte, e *Event) (_ []byte, ok bool) {
	w := jw{b: append(b, '{')}
	if !w.time(`"@timestamp":`, e.Timestamp) {
		return w.b, false
	}

	m := &e.Event
	w.open(`"event":`)
	w.key(`"id":`)
	w.b = appendJSONString(w.b, m.ID)
	w.str(`"kind":`, m.Kind)
	w.strs(`"category":`, m.Category)
	w.strs(`"type":`, m.Type)
	w.str(`"action":`, m.Action)
	w.str(`"outcome":`, m.Outcome)
	w.str(`"dataset":`, m.Dataset)
	w.str(`"module":`, m.Module)
	w.str(`"provider":`, m.Provider)
	w.str(`"code":`, m.Code)
	w.int(`"severity":`, int64(m.Severity))
	w.str(`"original":`, m.Original)
	if !m.Created.IsZero() && !w.time(`"created":`, m.Created) {
		return w.b, false
	}
	if !m.Ingested.IsZero() && !w.time(`"ingested":`, m.Ingested) {
		return w.b, false
	}
	w.close()

	if e.Organization != (Organization{}) {
		w.open(`"organization":`)
		w.str(`"id":`, e.Organization.ID)
		w.str(`"name":`, e.Organization.Name)
		w.close()
	}

	if u := &e.User; u.Name != "" || u.Domain != "" || u.ID != "" || u.Email != "" || u.Roles != nil || u.Target != nil {
		w.open(`"user":`)
		w.str(`"name":`, u.Name)
		w.str(`"domain":`, u.Domain)
		w.str(`"id":`, u.ID)
		w.str(`"email":`, u.Email)
		w.strs(`"roles":`, u.Roles)
		if t := u.Target; t != nil {
			w.open(`"target":`)
			w.str(`"name":`, t.Name)
			w.str(`"domain":`, t.Domain)
			w.str(`"id":`, t.ID)
			w.str(`"email":`, t.Email)
			w.close()
		}
		w.close()
	}

	if e.Source != (Endpoint{}) && !w.endpoint(`"source":`, &e.Source) {
		return w.b, false
	}
	if e.Destination != (Endpoint{}) && !w.endpoint(`"destination":`, &e.Destination) {
		return w.b, false
	}

	if h := &e.Host; h.Name != "" || h.Hostname != "" || h.ID != "" || h.IP != nil || h.OS != (OS{}) {
		w.open(`"host":`)
		w.str(`"name":`, h.Name)
		w.str(`"hostname":`, h.Hostname)
		w.str(`"id":`, h.ID)
		w.strs(`"ip":`, h.IP)
		if h.OS != (OS{}) {
			w.open(`"os":`)
			w.str(`"family":`, h.OS.Family)
			w.str(`"name":`, h.OS.Name)
			w.close()
		}
		w.close()
	}

	if p := &e.Process; p.PID != 0 || p.Name != "" || p.Executable != "" || p.CommandLine != "" || p.Args != nil || p.EntityID != "" || p.Parent != nil {
		w.open(`"process":`)
		w.int(`"pid":`, p.PID)
		w.str(`"name":`, p.Name)
		w.str(`"executable":`, p.Executable)
		w.str(`"command_line":`, p.CommandLine)
		w.strs(`"args":`, p.Args)
		w.str(`"entity_id":`, p.EntityID)
		if pp := p.Parent; pp != nil {
			w.open(`"parent":`)
			w.int(`"pid":`, pp.PID)
			w.str(`"name":`, pp.Name)
			w.str(`"executable":`, pp.Executable)
			w.str(`"command_line":`, pp.CommandLine)
			w.close()
		}
		w.close()
	}

	if f := &e.File; *f != (File{}) {
		w.open(`"file":`)
		w.str(`"path":`, f.Path)
		w.str(`"name":`, f.Name)
		w.str(`"directory":`, f.Directory)
		w.str(`"extension":`, f.Extension)
		w.int(`"size":`, f.Size)
		w.close()
	}

	if c := &e.Cloud; *c != (Cloud{}) {
		w.open(`"cloud":`)
		w.str(`"provider":`, c.Provider)
		w.str(`"region":`, c.Region)
		if c.Account != (CloudAccount{}) {
			w.open(`"account":`)
			w.str(`"id":`, c.Account.ID)
			w.str(`"name":`, c.Account.Name)
			w.close()
		}
		if c.Service != (CloudService{}) {
			w.open(`"service":`)
			w.str(`"name":`, c.Service.Name)
			w.close()
		}
		w.close()
	}

	if n := &e.Network; *n != (Network{}) {
		w.open(`"network":`)
		w.str(`"transport":`, n.Transport)
		w.str(`"protocol":`, n.Protocol)
		w.str(`"direction":`, n.Direction)
		w.int(`"bytes":`, n.Bytes)
		w.str(`"community_id":`, n.CommunityID)
		w.close()
	}

	if d := &e.DNS; d.Question != (DNSQuestion{}) || d.ResponseCode != "" || d.Answers != nil {
		w.open(`"dns":`)
		if q := &d.Question; *q != (DNSQuestion{}) {
			w.open(`"question":`)
			w.str(`"name":`, q.Name)
			w.str(`"type":`, q.Type)
			w.str(`"registered_domain":`, q.RegisteredDomain)
			w.close()
		}
		w.str(`"response_code":`, d.ResponseCode)
		w.strs(`"answers":`, d.Answers)
		w.close()
	}

	if u := &e.URL; *u != (URL{}) {
		w.open(`"url":`)
		w.str(`"full":`, u.Full)
		w.str(`"domain":`, u.Domain)
		w.str(`"path":`, u.Path)
		w.close()
	}

	if h := &e.HTTP; *h != (HTTP{}) {
		w.open(`"http":`)
		w.str(`"method":`, h.Method)
		w.int(`"status_code":`, int64(h.StatusCode))
		w.close()
	}

	if t := &e.TLS; *t != (TLS{}) {
		w.open(`"tls":`)
		w.str(`"version":`, t.Version)
		w.str(`"server_name":`, t.ServerName)
		w.str(`"ja3":`, t.JA3)
		w.close()
	}

	if m := &e.Email; m.To != nil || m.From != "" || m.Subject != "" {
		w.open(`"email":`)
		w.strs(`"to":`, m.To)
		w.str(`"from":`, m.From)
		w.str(`"subject":`, m.Subject)
		w.close()
	}

	if e.UserAgent != (UserAgent{}) {
		w.open(`"user_agent":`)
		w.str(`"original":`, e.UserAgent.Original)
		w.close()
	}

	if r := &e.Related; r.User != nil || r.IP != nil || r.Hosts != nil {
		w.open(`"related":`)
		w.strs(`"user":`, r.User)
		w.strs(`"ip":`, r.IP)
		w.strs(`"hosts":`, r.Hosts)
		w.close()
	}

	w.str(`"message":`, e.Message)
	w.strs(`"tags":`, e.Tags)
	return append(w.b, '}'), true
}

// endpoint writes a non-zero source/destination object.
func (w *jw) endpoint(k string, p *Endpoint) bool {
	w.open(k)
	w.str(`"ip":`, p.IP)
	w.int(`"port":`, int64(p.Port))
	w.str(`"domain":`, p.Domain)
	w.str(`"address":`, p.Address)
	w.int(`"bytes":`, p.Bytes)
	w.int(`"packets":`, p.Packets)
	if g := &p.Geo; *g != (Geo{}) {
		w.open(`"geo":`)
		w.str(`"country_iso_code":`, g.CountryISOCode)
		w.str(`"country_name":`, g.CountryName)
		w.str(`"region_name":`, g.RegionName)
		w.str(`"city_name":`, g.CityName)
		if l := g.Location; l != nil {
			w.open(`"location":`)
			if !w.float(`"lat":`, l.Lat) || !w.float(`"lon":`, l.Lon) {
				return false
			}
			w.close()
		}
		w.close()
	}
	w.close()
	return true
}

// appendVendor appends v as encoding/json encodes it. It handles the types
// encoding/json decodes into (map[string]any, []any, string, float64, bool,
// nil), map[string]string and RawJSON itself and hands any other type to json.Marshal. ok is false when
// encoding/json would fail on v, or when v nests too deep (possibly a
// cycle); the caller then lets encoding/json encode the whole value.
func appendVendor(b []byte, v any, depth int) (_ []byte, ok bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendJSONString(b, x), true
	case float64:
		return appendJSONFloat(b, x)
	case bool:
		return strconv.AppendBool(b, x), true
	case RawJSON:
		return appendRawJSON(b, string(x)), true
	case map[string]string:
		if x == nil {
			return append(b, "null"...), true
		}
		var arr [32]string
		keys := arr[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, x[k])
		}
		return append(b, '}'), true
	case map[string]any:
		if x == nil {
			return append(b, "null"...), true
		}
		if depth >= maxVendorDepth {
			return b, false
		}
		var arr [32]member
		members := arr[:0]
		for k, v := range x {
			members = append(members, member{k, v})
		}
		slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.k, b.k) })
		b = append(b, '{')
		for i, m := range members {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, m.k)
			b = append(b, ':')
			if b, ok = appendVendor(b, m.v, depth+1); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	case []any:
		if x == nil {
			return append(b, "null"...), true
		}
		if depth >= maxVendorDepth {
			return b, false
		}
		b = append(b, '[')
		for i, el := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = appendVendor(b, el, depth+1); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	default:
		enc, err := json.Marshal(x)
		if err != nil {
			return b, false
		}
		return append(b, enc...), true
	}
}

// member is one key and value of a vendor object.
type member struct {
	k string
	v any
}

// appendJSONFloat appends f as encoding/json encodes a float64; ok is false
// for NaN and infinities, which it refuses.
func appendJSONFloat(b []byte, f float64) (_ []byte, ok bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json does.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

const hexDigits = "0123456789abcdef"

// htmlSafe[c] is true for the ASCII bytes encoding/json copies unescaped
// with HTML escaping on.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s quoted and escaped exactly as encoding/json
// does with HTML escaping on.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
