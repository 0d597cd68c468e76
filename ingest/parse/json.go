package parse

import (
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/jsontext"
)

// parsers is shared by every JSON source: a fastjson.Parser reuses its
// buffers across records, which is most of the decoding cost.
var parsers fastjson.ParserPool

// jsonParser adapts a function over a parsed JSON value to Parser.
type jsonParser struct {
	source string
	fn     func(dst []event.Event, t *recordText, v *fastjson.Value, rec Record) ([]event.Event, error)
}

func (p jsonParser) Source() string { return p.source }

func (p jsonParser) Append(dst []event.Event, rec Record) ([]event.Event, error) {
	b := trimSpace(rec.Value)
	if len(b) == 0 {
		return dst, &Error{Reason: ReasonUnparseable, Err: errEmpty}
	}
	jp := parsers.Get()
	defer parsers.Put(jp)
	v, err := jp.ParseBytes(b)
	if err != nil {
		return dst, &Error{Reason: ReasonUnparseable, Err: err}
	}
	if v.Type() != fastjson.TypeObject {
		return dst, errorf(ReasonInvalid, "%s record is a JSON %s, not an object", p.source, v.Type())
	}
	return p.fn(dst, newRecordText(string(rec.Value), v), v, rec)
}

// recordText is a record's text, which its event keeps as event.original,
// and where the parser's copy of it lies (jsontext), so that the strings
// decoded from it can be slices of it. A nil *recordText copies every
// string.
type recordText struct {
	text string
	src  jsontext.Text
}

func newRecordText(text string, root *fastjson.Value) *recordText {
	return &recordText{text: text, src: jsontext.New(text, root)}
}

// string returns b, decoded from the record, as a string.
func (t *recordText) string(b []byte) string {
	if t == nil {
		return string(b)
	}
	return t.src.String(b)
}

// toAny converts a fastjson value into what encoding/json would produce.
func (t *recordText) toAny(v *fastjson.Value) any {
	if t == nil {
		return jsontext.Text{}.Decode(v)
	}
	return t.src.Decode(v)
}

// toMap converts a JSON object.
func (t *recordText) toMap(v *fastjson.Value) map[string]any {
	m, _ := t.toAny(v).(map[string]any)
	return m
}

// asString renders a scalar as text: strings as is, numbers in their JSON
// spelling, objects and arrays as compact JSON, null as "".
func (t *recordText) asString(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		return t.string(v.GetStringBytes())
	case fastjson.TypeNull:
		return ""
	}
	return string(v.MarshalTo(nil))
}

// asString is recordText.asString with copies.
func asString(v *fastjson.Value) string { return (*recordText)(nil).asString(v) }

// Accessors over decoded maps. A missing or mistyped field is the zero value.

func getV(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		if raw, isRaw := cur.(event.RawJSON); isRaw {
			// An event's vendor value read back; the maps parsers build
			// never hold one.
			cur, _ = raw.Decode()
		}
		if strs, ok := cur.(map[string]string); ok {
			if s, found := strs[p]; found {
				cur = s
				continue
			}
			return nil
		}
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func getM(m map[string]any, path ...string) map[string]any {
	mm, _ := getV(m, path...).(map[string]any)
	return mm
}

func getA(m map[string]any, path ...string) []any {
	a, _ := getV(m, path...).([]any)
	return a
}

// getS returns a string field; numbers and booleans are formatted.
func getS(m map[string]any, path ...string) string {
	switch x := getV(m, path...).(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func getF(m map[string]any, path ...string) (float64, bool) {
	switch x := getV(m, path...).(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

func getI(m map[string]any, path ...string) int64 {
	f, ok := getF(m, path...)
	if !ok || f > math.MaxInt64 || f < math.MinInt64 {
		return 0
	}
	return int64(f)
}

// first returns the first non-empty, non-"-" string.
func first(s ...string) string {
	for _, x := range s {
		if x != "" && x != "-" {
			return x
		}
	}
	return ""
}

// parseTime accepts RFC 3339 (any fraction, any offset) and the common
// variants without "T" or without an offset; those are UTC. Years before
// 1970 or after 9999 are no usable event time.
func parseTime(s string) (time.Time, bool) { return parseTimeIn(s, time.UTC) }

// parseTimeIn parses an RFC 3339-like timestamp; one without an offset is
// read in loc. The result is in UTC.
func parseTimeIn(s string, loc *time.Location) (time.Time, bool) {
	t, ok := parseTimeAny(s, loc)
	if !ok || t.Year() < 1970 {
		return time.Time{}, false
	}
	return t, true
}

func parseTimeAny(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return time.Time{}, false
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	if len(s) == 10 {
		s += "T00:00:00Z"
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, loc); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999Z0700", s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// epochTime converts seconds since the epoch (with fraction).
func epochTime(f float64) (time.Time, bool) {
	if f <= 0 || f > 1e11 || math.IsNaN(f) {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC(), true
}

// splitHostPort returns the IP and port of "1.2.3.4", "1.2.3.4:443",
// "[2001:db8::1]:443" or "2001:db8::1". ip is "" when s holds no IP.
func splitHostPort(s string) (ip string, port int) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", 0
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return canonicalIP(a, s), 0
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return canonicalIP(ap.Addr(), s), int(ap.Port())
	}
	return "", 0
}

// canonicalIP returns a's canonical text, taken from in when in holds it:
// addresses mostly arrive canonical, and reusing the record's text spares a
// string per address.
func canonicalIP(a netip.Addr, in string) string {
	var buf [64]byte
	b := a.Unmap().AppendTo(buf[:0])
	if i := strings.Index(in, string(b)); i >= 0 {
		return in[i : i+len(b)]
	}
	return string(b)
}

// cleanIP returns s as a canonical IP, or "".
func cleanIP(s string) string {
	ip, _ := splitHostPort(s)
	return ip
}

// addUnique appends v unless it is empty, "-" or already present.
func addUnique(s []string, vs ...string) []string {
	for _, v := range vs {
		if v == "" || v == "-" {
			continue
		}
		dup := false
		for _, x := range s {
			if x == v {
				dup = true
				break
			}
		}
		if !dup {
			s = append(s, v)
		}
	}
	return s
}

// splitEmail fills name/domain/email from a user principal name or e-mail.
func splitEmail(s string) (domain, email string) {
	if i := strings.LastIndexByte(s, '@'); i > 0 && i < len(s)-1 {
		return s[i+1:], s
	}
	return "", ""
}

// related collects the user, ip and host fields every parser sets last.
func related(e *event.Event) {
	r := &e.Related
	var target string
	if t := e.User.Target; t != nil {
		target = t.Name
	}
	if r.User != nil || r.IP != nil || r.Hosts != nil {
		r.User = addUnique(r.User, e.User.Name, target)
		r.IP = addUnique(r.IP, e.Source.IP, e.Destination.IP)
		r.Hosts = addUnique(r.Hosts, e.Host.Name, e.Source.Domain, e.Destination.Domain)
		return
	}
	// The three lists share one allocation, each capped at its length so
	// that an append to one copies it instead of overwriting the next.
	// Room for every value: no addUnique below reallocates.
	var arr [7]string
	nUser := len(addUnique(arr[:0], e.User.Name, target))
	nIP := nUser + len(addUnique(arr[nUser:nUser], e.Source.IP, e.Destination.IP))
	n := nIP + len(addUnique(arr[nIP:nIP], e.Host.Name, e.Source.Domain, e.Destination.Domain))
	if n == 0 {
		return
	}
	shared := slices.Clone(arr[:n])
	r.User = nonEmpty(shared[:nUser:nUser])
	r.IP = nonEmpty(shared[nUser:nIP:nIP])
	r.Hosts = nonEmpty(shared[nIP:n:n])
}

// nonEmpty returns s, or nil when it is empty.
func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// verbType maps an API verb prefix to an ECS event.type.
func verbType(action string) string {
	for _, p := range verbs {
		if strings.HasPrefix(action, p.prefix) {
			return p.typ
		}
	}
	return ""
}

var verbs = []struct{ prefix, typ string }{
	{"Create", "creation"}, {"Add", "creation"}, {"Put", "change"}, {"Attach", "change"},
	{"Detach", "change"}, {"Update", "change"}, {"Modify", "change"}, {"Set", "change"},
	{"Enable", "change"}, {"Disable", "change"}, {"Remove", "deletion"}, {"Delete", "deletion"},
	{"Stop", "change"}, {"Start", "change"}, {"Run", "creation"}, {"Terminate", "deletion"},
	{"Revoke", "change"}, {"Authorize", "change"}, {"Get", "access"}, {"List", "access"},
	{"Describe", "access"}, {"Head", "access"}, {"Lookup", "access"},
}

// jobj reads the fields of a JSON object where the parser left it, without
// converting it to maps: the record's own fields reach Event.Vendor as
// their text (event.RawJSON), and only the fields the parser normalizes
// are decoded. Its accessors mirror getV, getS, ... on decoded maps: a
// missing or mistyped field is the zero value, and a number that is not
// finite is missing, as encoding/json cannot hold it.
type jobj struct {
	t *recordText
	v *fastjson.Value // nil or not an object: every field is missing
}

// V returns the value at path, nil when absent.
func (o jobj) V(path ...string) *fastjson.Value {
	cur := o.v
	for _, p := range path {
		if cur == nil || cur.Type() != fastjson.TypeObject {
			return nil
		}
		cur = cur.GetObject().Get(p)
	}
	return cur
}

// M returns the object at path.
func (o jobj) M(path ...string) jobj {
	v := o.V(path...)
	if v == nil || v.Type() != fastjson.TypeObject {
		return jobj{t: o.t}
	}
	return jobj{t: o.t, v: v}
}

// A returns the elements of the array at path.
func (o jobj) A(path ...string) []jobj {
	v := o.V(path...)
	if v == nil || v.Type() != fastjson.TypeArray {
		return nil
	}
	a := v.GetArray()
	out := make([]jobj, len(a))
	for i, el := range a {
		out[i] = jobj{t: o.t, v: el}
	}
	return out
}

// S returns a string field; numbers and booleans are formatted.
func (o jobj) S(path ...string) string {
	v := o.V(path...)
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		return o.t.string(v.GetStringBytes())
	case fastjson.TypeNumber:
		if f, ok := finite(v); ok {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	}
	return ""
}

// F returns a number field, or a string field holding a number.
func (o jobj) F(path ...string) (float64, bool) {
	v := o.V(path...)
	if v == nil {
		return 0, false
	}
	switch v.Type() {
	case fastjson.TypeNumber:
		return finite(v)
	case fastjson.TypeString:
		f, err := strconv.ParseFloat(string(v.GetStringBytes()), 64)
		return f, err == nil
	}
	return 0, false
}

// I returns F as an integer; 0 when it does not fit.
func (o jobj) I(path ...string) int64 {
	f, ok := o.F(path...)
	if !ok || f > math.MaxInt64 || f < math.MinInt64 {
		return 0
	}
	return int64(f)
}

// Is reports whether path holds a value of type typ.
func (o jobj) Is(typ fastjson.Type, path ...string) bool {
	v := o.V(path...)
	return v != nil && v.Type() == typ
}

func finite(v *fastjson.Value) (float64, bool) {
	f := v.GetFloat64()
	return f, !math.IsInf(f, 0) && !math.IsNaN(f)
}
