package gen

import (
	"strconv"
	"time"
)

// enc appends one JSON document to a byte slice. Keys are constants that
// need no escaping; string values are escaped. comma records whether the
// next member or element needs a separator.
type enc struct {
	b     []byte
	comma bool
}

func (e *enc) sep() {
	if e.comma {
		e.b = append(e.b, ',')
	}
	e.comma = true
}

func (e *enc) key(k string) {
	e.sep()
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

func (e *enc) obj()    { e.b = append(e.b, '{'); e.comma = false }
func (e *enc) end()    { e.b = append(e.b, '}'); e.comma = true }
func (e *enc) arr()    { e.b = append(e.b, '['); e.comma = false }
func (e *enc) endArr() { e.b = append(e.b, ']'); e.comma = true }

func (e *enc) objK(k string) { e.key(k); e.obj() }
func (e *enc) arrK(k string) { e.key(k); e.arr() }

// aobj opens an object as an array element.
func (e *enc) aobj() { e.sep(); e.obj() }

func (e *enc) str(k, v string) { e.key(k); e.b = appendStr(e.b, v) }
func (e *enc) strB(k string, v []byte) {
	e.key(k)
	e.b = appendStr(e.b, string(v))
}
func (e *enc) astr(v string)         { e.sep(); e.b = appendStr(e.b, v) }
func (e *enc) int(k string, v int64) { e.key(k); e.b = strconv.AppendInt(e.b, v, 10) }
func (e *enc) aint(v int64)          { e.sep(); e.b = strconv.AppendInt(e.b, v, 10) }
func (e *enc) bool(k string, v bool) { e.key(k); e.b = strconv.AppendBool(e.b, v) }
func (e *enc) null(k string)         { e.key(k); e.b = append(e.b, "null"...) }

// raw writes v, which must be valid JSON, as the member's value.
func (e *enc) raw(k, v string) { e.key(k); e.b = append(e.b, v...) }

// intStr writes an integer as a JSON string, as Windows event data does.
func (e *enc) intStr(k string, v int64) {
	e.key(k)
	e.b = append(e.b, '"')
	e.b = strconv.AppendInt(e.b, v, 10)
	e.b = append(e.b, '"')
}

// float writes v with prec decimals.
func (e *enc) float(k string, v float64, prec int) {
	e.key(k)
	e.b = strconv.AppendFloat(e.b, v, 'f', prec, 64)
}

// time writes t in layout as a string.
func (e *enc) time(k string, t time.Time, layout string) {
	e.key(k)
	e.b = append(e.b, '"')
	e.b = t.AppendFormat(e.b, layout)
	e.b = append(e.b, '"')
}

// epoch writes t as Zeek does: seconds since the epoch with microseconds.
func (e *enc) epoch(k string, t time.Time) {
	e.key(k)
	e.b = appendEpoch(e.b, t)
}

func appendEpoch(b []byte, t time.Time) []byte {
	us := t.UnixMicro()
	b = strconv.AppendInt(b, us/1e6, 10)
	b = append(b, '.')
	frac := us % 1e6
	for d := int64(100000); d > 0; d /= 10 {
		b = append(b, byte('0'+frac/d%10))
	}
	return b
}

// appendStr appends s as a JSON string the way log shippers write it: only
// the escapes JSON requires. event's encoder also escapes <, > and & (it
// matches encoding/json); native records must not.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Time layouts of the sources.
const (
	layoutCloudTrail = "2006-01-02T15:04:05Z"
	layoutO365       = "2006-01-02T15:04:05"
	layoutAzure      = "2006-01-02T15:04:05.0000000Z"
	layoutOkta       = "2006-01-02T15:04:05.000Z"
	layoutWindows    = "2006-01-02T15:04:05.000Z"
	layoutSysmonUTC  = "2006-01-02 15:04:05.000"
	layoutRFC3164    = "Jan _2 15:04:05"
	layoutRFC5424    = "2006-01-02T15:04:05.000000Z"
)
