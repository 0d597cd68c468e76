package parse

import (
	"bytes"
	"strings"

	"github.com/valyala/fastjson"
)

// DetectSource names the source a record came from, judged by its shape
// alone (see ingest/README.md for the rule per source). It reports false
// when no built-in source matches.
func DetectSource(value []byte) (string, bool) {
	b := trimSpace(value)
	if len(b) == 0 {
		return "", false
	}
	if b[0] != '{' {
		if looksLikeSyslog(b) {
			return SourceSyslog, true
		}
		return "", false
	}
	jp := parsers.Get()
	defer parsers.Put(jp)
	v, err := jp.ParseBytes(b)
	if err != nil {
		return "", false
	}
	s := detectValue(v)
	return s, s != ""
}

// detectValue applies the shape rules to a parsed JSON object. Order
// matters: the most specific shapes come first.
func detectValue(v *fastjson.Value) string {
	o, err := v.Object()
	if err != nil {
		return ""
	}
	has := func(k string) bool { return o.Get(k) != nil }
	str := func(k string) string { return string(o.Get(k).GetStringBytes()) }
	switch {
	case o.Get("Records") != nil && o.Get("Records").Type() == fastjson.TypeArray:
		return SourceCloudTrail
	case has("eventVersion") && has("eventSource") && has("eventName"):
		return SourceCloudTrail
	case has("winlog") || (has("Event") && v.Get("Event", "System") != nil):
		return SourceWindows
	case has("EventID") && (has("Channel") || has("SourceName") || has("Hostname") || has("ProviderName")):
		return SourceWindows
	case has("Workload") && has("Operation") && (has("CreationTime") || has("RecordType")):
		return SourceO365
	case strings.HasSuffix(str("category"), "SignInLogs") && has("properties"):
		return SourceSignIn
	case has("createdDateTime") && has("userPrincipalName") && (has("appId") || has("status") || has("ipAddress")):
		return SourceSignIn
	case (has("eventType") || has("eventtype")) && has("published") && (has("uuid") || has("actor")):
		return SourceOkta
	case has("_path") || (has("@stream") && (str("@proc") == "zeek" || has("ts"))):
		return SourceZeek
	case has("ts") && (has("uid") || has("id.orig_h") || has("id_orig_h") || has("fuid")):
		return SourceZeek
	case has("@timestamp") && (has("event") || has("ecs")):
		return SourceECS
	}
	return ""
}

var months = [...]string{"Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec "}

// looksLikeSyslog accepts "<PRI>...", a line starting with a BSD month
// ("Mar  3 ...") or with an RFC 3339 date ("2024-03-03T...").
func looksLikeSyslog(b []byte) bool {
	if b[0] == '<' {
		i := bytes.IndexByte(b, '>')
		if i < 2 || i > 4 {
			return false
		}
		for _, c := range b[1:i] {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	if len(b) >= 16 {
		for _, m := range months {
			if string(b[:4]) == m {
				return true
			}
		}
	}
	if len(b) >= 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' {
		return true
	}
	return false
}
