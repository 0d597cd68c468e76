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
	m := t.toMap(v)
	lt := zeekLogType(m)
	e := base(rec, t.text, "zeek", "zeek."+lt)
	var ok bool
	switch ts := getV(m, "ts").(type) {
	case float64:
		e.Timestamp, ok = epochTime(ts)
	case string:
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
	case getS(m, "uid") != "":
		e.Event.ID = sourceID(SourceZeek, lt, getS(m, "uid"), tsRaw, getS(m, "trans_id"), getS(m, "trans_depth"))
	case getS(m, "fuid") != "":
		e.Event.ID = sourceID(SourceZeek, lt, getS(m, "fuid"), tsRaw)
	default:
		e.Event.ID = positionID(SourceZeek, rec, 0)
	}

	e.Source.IP = cleanIP(first(getS(m, "id.orig_h"), getS(m, "id_orig_h")))
	e.Source.Port = int(first64(getI(m, "id.orig_p"), getI(m, "id_orig_p")))
	e.Destination.IP = cleanIP(first(getS(m, "id.resp_h"), getS(m, "id_resp_h")))
	e.Destination.Port = int(first64(getI(m, "id.resp_p"), getI(m, "id_resp_p")))
	e.Network.Transport = getS(m, "proto")
	e.Network.CommunityID = getS(m, "community_id")
	e.Event.Action = lt

	switch lt {
	case "conn":
		e.Event.Category = []string{"network"}
		e.Event.Type = []string{"connection"}
		e.Network.Protocol = getS(m, "service")
		e.Source.Bytes, e.Source.Packets = getI(m, "orig_bytes"), getI(m, "orig_pkts")
		e.Destination.Bytes, e.Destination.Packets = getI(m, "resp_bytes"), getI(m, "resp_pkts")
		e.Network.Bytes = e.Source.Bytes + e.Destination.Bytes
		switch getV(m, "local_orig") {
		case true:
			if getV(m, "local_resp") == true {
				e.Network.Direction = "internal"
			} else {
				e.Network.Direction = "outbound"
			}
		case false:
			e.Network.Direction = "inbound"
		}
		e.Event.Action = first(getS(m, "conn_state"), lt)
	case "dns":
		e.Event.Category = []string{"network"}
		e.Event.Type = []string{"protocol", "info"}
		e.Network.Protocol = "dns"
		e.DNS.Question.Name = getS(m, "query")
		e.DNS.Question.Type = getS(m, "qtype_name")
		e.DNS.ResponseCode = getS(m, "rcode_name")
		for _, a := range getA(m, "answers") {
			if s, ok := a.(string); ok {
				e.DNS.Answers = append(e.DNS.Answers, s)
			}
		}
	case "http":
		e.Event.Category = []string{"network", "web"}
		e.Event.Type = []string{"protocol", "access"}
		e.Network.Protocol = "http"
		e.HTTP.Method = getS(m, "method")
		e.HTTP.StatusCode = int(getI(m, "status_code"))
		host, uri := getS(m, "host"), getS(m, "uri")
		e.URL.Domain = host
		e.URL.Path = uri
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			e.URL.Path = uri[:i]
		}
		if host != "" {
			e.URL.Full = "http://" + host + uri
		}
		e.UserAgent.Original = getS(m, "user_agent")
		e.Destination.Domain = host
	case "ssl":
		e.Event.Category = []string{"network"}
		e.Event.Type = []string{"protocol", "connection"}
		e.Network.Protocol = "tls"
		e.TLS.ServerName = getS(m, "server_name")
		e.TLS.Version = zeekTLSVersion(getS(m, "version"))
		e.TLS.JA3 = getS(m, "ja3")
		e.Destination.Domain = e.TLS.ServerName
	default:
		e.Event.Category = []string{"network"}
		e.Event.Type = []string{"info"}
	}
	if e.Source.IP == e.Destination.Domain {
		e.Destination.Domain = ""
	}
	related(&e)
	e.Vendor = map[string]any{"zeek": map[string]any{lt: m}}
	return append(dst, e), nil
}

func first64(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

// zeekLogType names the log: _path, @stream, or a guess from the fields.
func zeekLogType(m map[string]any) string {
	if p := first(getS(m, "_path"), getS(m, "@stream")); p != "" {
		return sanitizeNS(p)
	}
	has := func(k string) bool { _, ok := m[k]; return ok }
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
