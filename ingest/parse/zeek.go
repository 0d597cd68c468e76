package parse

import (
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
)

// parseZeek handles one Zeek JSON log line. The log type comes from _path
// (or @stream, as written by the Kafka writer), else from its fields.
func parseZeek(dst []event.Event, t *recordText, v *fastjson.Value, rec Record) ([]event.Event, error) {
	m := jobj{t: t, v: v}
	lt := zeekLogType(m)
	e := base(rec, t.text, "zeek", "zeek."+lt)
	var ok bool
	switch {
	case m.Is(fastjson.TypeNumber, "ts"):
		if ts, fin := finite(m.V("ts")); fin {
			e.Timestamp, ok = epochTime(ts)
		}
	case m.Is(fastjson.TypeString, "ts"):
		ts := m.S("ts")
		if e.Timestamp, ok = parseTime(ts); !ok {
			if f, err := strconv.ParseFloat(ts, 64); err == nil {
				e.Timestamp, ok = epochTime(f)
			}
		}
	}
	if !ok {
		return dst, errorf(ReasonNoTimestamp, "zeek %s record without a usable ts", lt)
	}
	tsRaw := strconv.FormatInt(e.Timestamp.UnixMicro(), 10)
	switch {
	case m.S("uid") != "":
		e.Event.ID = sourceID(SourceZeek, lt, m.S("uid"), tsRaw, m.S("trans_id"), m.S("trans_depth"))
	case m.S("fuid") != "":
		e.Event.ID = sourceID(SourceZeek, lt, m.S("fuid"), tsRaw)
	default:
		e.Event.ID = positionID(SourceZeek, rec, 0)
	}

	e.Source.IP = cleanIP(first(m.S("id.orig_h"), m.S("id_orig_h")))
	e.Source.Port = int(first64(m.I("id.orig_p"), m.I("id_orig_p")))
	e.Destination.IP = cleanIP(first(m.S("id.resp_h"), m.S("id_resp_h")))
	e.Destination.Port = int(first64(m.I("id.resp_p"), m.I("id_resp_p")))
	e.Network.Transport = m.S("proto")
	e.Network.CommunityID = m.S("community_id")
	e.Event.Action = lt

	switch lt {
	case "conn":
		e.Event.Category = []string{"network"}
		e.Event.Type = []string{"connection"}
		e.Network.Protocol = m.S("service")
		e.Source.Bytes, e.Source.Packets = m.I("orig_bytes"), m.I("orig_pkts")
		e.Destination.Bytes, e.Destination.Packets = m.I("resp_bytes"), m.I("resp_pkts")
		e.Network.Bytes = e.Source.Bytes + e.Destination.Bytes
		switch {
		case m.Is(fastjson.TypeTrue, "local_orig"):
			if m.Is(fastjson.TypeTrue, "local_resp") {
				e.Network.Direction = "internal"
			} else {
				e.Network.Direction = "outbound"
			}
		case m.Is(fastjson.TypeFalse, "local_orig"):
			e.Network.Direction = "inbound"
		}
		e.Event.Action = first(m.S("conn_state"), lt)
	case "dns":
		e.Event.Category = []string{"network"}
		e.Event.Type = []string{"protocol", "info"}
		e.Network.Protocol = "dns"
		e.DNS.Question.Name = m.S("query")
		e.DNS.Question.Type = m.S("qtype_name")
		e.DNS.ResponseCode = m.S("rcode_name")
		for _, a := range m.A("answers") {
			if a.Is(fastjson.TypeString) {
				e.DNS.Answers = append(e.DNS.Answers, a.S())
			}
		}
	case "http":
		e.Event.Category = []string{"network", "web"}
		e.Event.Type = []string{"protocol", "access"}
		e.Network.Protocol = "http"
		e.HTTP.Method = m.S("method")
		e.HTTP.StatusCode = int(m.I("status_code"))
		host, uri := m.S("host"), m.S("uri")
		e.URL.Domain = host
		e.URL.Path = uri
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			e.URL.Path = uri[:i]
		}
		if host != "" {
			e.URL.Full = "http://" + host + uri
		}
		e.UserAgent.Original = m.S("user_agent")
		e.Destination.Domain = host
	case "ssl":
		e.Event.Category = []string{"network"}
		e.Event.Type = []string{"protocol", "connection"}
		e.Network.Protocol = "tls"
		e.TLS.ServerName = m.S("server_name")
		e.TLS.Version = zeekTLSVersion(m.S("version"))
		e.TLS.JA3 = m.S("ja3")
		e.Destination.Domain = e.TLS.ServerName
	default:
		e.Event.Category = []string{"network"}
		e.Event.Type = []string{"info"}
	}
	if e.Source.IP == e.Destination.Domain {
		e.Destination.Domain = ""
	}
	related(&e)
	e.Vendor = map[string]any{"zeek": map[string]any{lt: event.RawJSON(t.text)}}
	return append(dst, e), nil
}

func first64(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

// zeekLogType names the log: _path, @stream, or a guess from the fields.
func zeekLogType(m jobj) string {
	if p := first(m.S("_path"), m.S("@stream")); p != "" {
		return sanitizeNS(p)
	}
	has := func(k string) bool { return m.V(k) != nil }
	switch {
	case has("conn_state") || has("history") || has("orig_pkts"):
		return "conn"
	case has("query") || has("qtype_name") || has("rcode_name"):
		return "dns"
	case has("method") && (has("uri") || has("host")) || has("status_code") && has("trans_depth"):
		return "http"
	case has("server_name") || has("cipher") || has("ja3") || has("established"):
		return "ssl"
	}
	return "unknown"
}

// sanitizeNS keeps a log type usable as a dataset and vendor key.
func sanitizeNS(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}

// zeekTLSVersion turns "TLSv12" into ECS "1.2"; others pass through.
func zeekTLSVersion(v string) string {
	if rest, ok := strings.CutPrefix(v, "TLSv"); ok && len(rest) == 2 {
		return rest[:1] + "." + rest[1:]
	}
	return v
}
