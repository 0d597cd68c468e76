package parse

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// syslogParser handles RFC 5424 and RFC 3164 (BSD, auth.log) lines, with
// or without a <PRI> prefix, and parses the messages of sshd, sudo, su,
// useradd, groupadd, usermod and userdel.
type syslogParser struct {
	now func() time.Time
	loc *time.Location
}

func (*syslogParser) Source() string { return SourceSyslog }

var facilities = [...]string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
	"cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}

var severities = [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// facilityValues and severityValues are the vendor values of the syslog
// facility and severity codes, built once and shared by every event: like
// all vendor values, they are never modified.
var (
	facilityValues = codeNames(facilities[:])
	severityValues = codeNames(severities[:])
)

func codeNames(names []string) []map[string]any {
	out := make([]map[string]any, len(names))
	for i, n := range names {
		out[i] = map[string]any{"code": float64(i), "name": n}
	}
	return out
}

// syslogLine is a line split into its header fields.
type syslogLine struct {
	pri     int // -1 when absent
	version int
	ts      time.Time
	host    string
	app     string
	procID  string
	msgID   string
	sd      map[string]any
	msg     string
}

func (p *syslogParser) Append(dst []event.Event, rec Record) ([]event.Event, error) {
	s := strings.TrimRight(string(rec.Value), "\r\n\x00")
	s = strings.TrimLeft(s, " \t")
	if s == "" {
		return dst, &Error{Reason: ReasonUnparseable, Err: errEmpty}
	}
	l := syslogLine{pri: -1}
	if s[0] == '<' {
		end := strings.IndexByte(s, '>')
		if end < 2 || end > 4 {
			return dst, errorf(ReasonUnparseable, "syslog PRI not closed")
		}
		n, err := strconv.Atoi(s[1:end])
		if err != nil || n > 191 || n < 0 {
			return dst, errorf(ReasonUnparseable, "syslog PRI %q", s[1:end])
		}
		l.pri = n
		s = s[end+1:]
	}
	var err error
	if len(s) > 2 && s[0] >= '1' && s[0] <= '9' && s[1] == ' ' {
		err = l.rfc5424(s)
	} else {
		loc := p.loc
		if rec.Location != nil {
			loc = rec.Location
		}
		err = p.rfc3164(&l, s, rec.Time, loc)
	}
	if err != nil {
		return dst, err
	}
	return append(dst, p.toEvent(&l, rec)), nil
}

// nextField splits off the next space-delimited field.
func nextField(s string) (field, rest string, ok bool) {
	i := strings.IndexByte(s, ' ')
	if i < 0 {
		return s, "", s != ""
	}
	return s[:i], s[i+1:], i > 0
}

func nilValue(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

func (l *syslogLine) rfc5424(s string) error {
	var f [6]string
	rest := s
	for i := range f {
		var ok bool
		if f[i], rest, ok = nextField(rest); !ok {
			return errorf(ReasonUnparseable, "rfc5424 header truncated")
		}
	}
	l.version, _ = strconv.Atoi(f[0])
	if f[1] == "-" {
		return errorf(ReasonNoTimestamp, "rfc5424 line with NILVALUE timestamp")
	}
	t, ok := parseTime(f[1])
	if !ok {
		return errorf(ReasonNoTimestamp, "rfc5424 timestamp %q", f[1])
	}
	l.ts = t
	l.host, l.app, l.procID, l.msgID = nilValue(f[2]), nilValue(f[3]), nilValue(f[4]), nilValue(f[5])
	if rest == "" {
		return nil
	}
	if rest[0] == '-' {
		rest = rest[1:]
	} else if rest[0] == '[' {
		sd, after, err := parseSD(rest)
		if err != nil {
			return err
		}
		l.sd, rest = sd, after
	} else {
		return errorf(ReasonUnparseable, "rfc5424 structured data")
	}
	rest = strings.TrimPrefix(rest, " ")
	l.msg = strings.TrimPrefix(rest, "\ufeff")
	return nil
}

// parseSD reads RFC 5424 STRUCTURED-DATA: [id k="v" ...][id2 ...].
func parseSD(s string) (map[string]any, string, error) {
	sd := map[string]any{}
	for len(s) > 0 && s[0] == '[' {
		s = s[1:]
		end := strings.IndexAny(s, " ]")
		if end <= 0 {
			return nil, "", errorf(ReasonUnparseable, "rfc5424 SD-ID")
		}
		params := map[string]any{}
		sd[s[:end]] = params
		s = s[end:]
		for {
			s = strings.TrimLeft(s, " ")
			if s == "" {
				return nil, "", errorf(ReasonUnparseable, "rfc5424 SD element not closed")
			}
			if s[0] == ']' {
				s = s[1:]
				break
			}
			eq := strings.IndexByte(s, '=')
			if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
				return nil, "", errorf(ReasonUnparseable, "rfc5424 SD-PARAM")
			}
			name := s[:eq]
			s = s[eq+2:]
			var val strings.Builder
			closed := false
			for i := 0; i < len(s); i++ {
				c := s[i]
				if c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\' || s[i+1] == ']') {
					val.WriteByte(s[i+1])
					i++
					continue
				}
				if c == '"' {
					s = s[i+1:]
					closed = true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				return nil, "", errorf(ReasonUnparseable, "rfc5424 SD-PARAM value not closed")
			}
			params[name] = val.String()
		}
	}
	return sd, s, nil
}

// rfc3164 parses "Mmm dd hh:mm:ss host tag[pid]: msg"; the timestamp may
// also be RFC 3339 (rsyslog's high-precision format) and the host may be
// missing.
func (p *syslogParser) rfc3164(l *syslogLine, s string, recTime time.Time, loc *time.Location) error {
	var rest string
	if len(s) >= 15 && s[3] == ' ' && monthIndex(s[:3]) > 0 {
		ts := s[:15]
		rest = s[15:]
		// optional fraction: "Mar  3 12:00:01.123456"
		if len(rest) > 1 && rest[0] == '.' {
			i := 1
			for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
				i++
			}
			ts += rest[:i]
			rest = rest[i:]
		}
		t, err := time.ParseInLocation("Jan _2 15:04:05.999999999", ts, loc)
		if err != nil {
			t, err = time.ParseInLocation("Jan  2 15:04:05.999999999", ts, loc)
		}
		if err != nil {
			return errorf(ReasonNoTimestamp, "rfc3164 timestamp %q", ts)
		}
		ref := recTime
		if ref.IsZero() {
			ref = p.now()
		}
		ref = ref.In(loc)
		t = time.Date(ref.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
		if t.Sub(ref) > 7*24*time.Hour { // December line read in January
			t = t.AddDate(-1, 0, 0)
		}
		l.ts = t.UTC()
	} else {
		f, r, _ := nextField(s)
		t, ok := parseTime(f)
		if !ok {
			if l.pri >= 0 {
				return errorf(ReasonNoTimestamp, "syslog line without a timestamp")
			}
			return errorf(ReasonUnparseable, "not a syslog line")
		}
		l.ts, rest = t, r
	}
	rest = strings.TrimLeft(rest, " ")
	// host, unless the next token is already the tag.
	if f, r, ok := nextField(rest); ok && !strings.HasSuffix(f, ":") && !strings.Contains(f, "[") {
		l.host, rest = f, r
	}
	// TAG[PID]: MSG
	end := strings.Index(rest, ": ")
	if end < 0 && strings.HasSuffix(rest, ":") {
		end = len(rest) - 1
	}
	if end > 0 && end <= 64 && !strings.ContainsAny(rest[:end], " ") {
		tag := rest[:end]
		if i := strings.IndexByte(tag, '['); i > 0 && strings.HasSuffix(tag, "]") {
			l.procID = tag[i+1 : len(tag)-1]
			tag = tag[:i]
		}
		l.app = tag
		l.msg = strings.TrimLeft(rest[end+1:], " ")
	} else {
		l.msg = rest
	}
	return nil
}

func monthIndex(m string) int {
	for i, x := range months {
		if x[:3] == m {
			return i + 1
		}
	}
	return 0
}

var authApps = map[string]bool{"sshd": true, "sudo": true, "su": true, "useradd": true, "groupadd": true,
	"usermod": true, "userdel": true, "groupdel": true, "passwd": true, "chpasswd": true, "login": true,
	"systemd-logind": true, "gpasswd": true, "chage": true}

func (p *syslogParser) toEvent(l *syslogLine, rec Record) event.Event {
	ds := "system.syslog"
	if authApps[l.app] || (l.pri >= 0 && (l.pri>>3 == 4 || l.pri>>3 == 10)) {
		ds = "system.auth"
	}
	e := base(rec, string(rec.Value), "system", ds)
	e.Event.ID = positionID(SourceSyslog, rec, 0)
	e.Timestamp = l.ts
	e.Host.Name = l.host
	e.Message = l.msg
	e.Process.Name = l.app
	e.Process.PID, _ = strconv.ParseInt(l.procID, 10, 64)
	e.Event.Provider = l.app

	sl := make(map[string]any, 8)
	if l.app != "" {
		sl["appname"] = l.app
	}
	if l.procID != "" {
		if n, err := strconv.ParseFloat(l.procID, 64); err == nil {
			sl["pid"] = n
		} else {
			sl["procid"] = l.procID
		}
	}
	if l.host != "" {
		sl["hostname"] = l.host
	}
	if l.pri >= 0 {
		sl["priority"] = float64(l.pri)
		sl["facility"] = facilityValues[l.pri>>3]
		sl["severity"] = severityValues[l.pri&7]
	}
	if l.version > 0 {
		sl["version"] = float64(l.version)
	}
	if l.msgID != "" {
		sl["msgid"] = l.msgID
	}
	if l.sd != nil {
		sl["structured_data"] = l.sd
	}
	e.Vendor = map[string]any{"syslog": sl}
	if auth := parseAuth(&e, l.app, l.msg); auth != nil {
		e.Event.Dataset = "system.auth"
		e.Vendor["system"] = map[string]any{"auth": auth}
	}
	if e.Event.Type == nil {
		e.Event.Type = []string{"info"}
	}
	related(&e)
	return e
}

// parseAuth maps auth.log messages to ECS and returns the parsed fields
// for system.auth, or nil when the message is not one it knows.
func parseAuth(e *event.Event, app, msg string) map[string]any {
	switch app {
	case "sshd":
		return parseSSHD(e, msg)
	case "sudo":
		return parseSudo(e, msg)
	case "su":
		return parseSu(e, msg)
	case "useradd", "groupadd", "usermod", "userdel", "groupdel":
		return parseUserMgmt(e, app, msg)
	}
	return nil
}

// parseSSHD: "Accepted password for alice from 10.0.0.5 port 52144 ssh2",
// "Failed publickey for invalid user bob from ...", "Invalid user bob from
// 1.2.3.4 port 4242".
func parseSSHD(e *event.Event, msg string) map[string]any {
	var outcome, method, rest string
	ssh := map[string]any{}
	switch {
	case strings.HasPrefix(msg, "Accepted "):
		outcome, rest = "success", msg[len("Accepted "):]
	case strings.HasPrefix(msg, "Failed "):
		outcome, rest = "failure", msg[len("Failed "):]
	case strings.HasPrefix(msg, "Invalid user "):
		outcome, method, rest = "failure", "", "for "+msg[len("Invalid user "):]
		ssh["invalid_user"] = true
	default:
		return nil
	}
	if method == "" && !strings.HasPrefix(rest, "for ") {
		method, rest, _ = nextField(rest)
	}
	rest = strings.TrimPrefix(rest, "for ")
	if r, ok := strings.CutPrefix(rest, "invalid user "); ok {
		rest = r
		ssh["invalid_user"] = true
	}
	i := strings.LastIndex(rest, " from ")
	if i < 0 {
		return nil
	}
	user, rest := rest[:i], rest[i+len(" from "):]
	ip, rest, _ := nextField(rest)
	if r, ok := strings.CutPrefix(rest, "port "); ok {
		var port string
		port, rest, _ = nextField(r)
		e.Source.Port = atoi(port)
	}
	if _, sig, ok := strings.Cut(rest, ": "); ok {
		ssh["signature"] = sig
	}
	e.User.Name = user
	e.Source.IP = cleanIP(ip)
	e.Event.Category = []string{"authentication"}
	e.Event.Type = []string{"start"}
	e.Event.Outcome = outcome
	if outcome == "success" {
		e.Event.Action = "ssh_login"
	} else {
		e.Event.Action = "ssh_login_failed"
	}
	if method != "" {
		ssh["method"] = method
	}
	ssh["event"] = strings.SplitN(msg, " ", 2)[0]
	return map[string]any{"ssh": ssh}
}

// parseSudo: "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/cat /etc/shadow",
// optionally with "3 incorrect password attempts ; " first.
func parseSudo(e *event.Event, msg string) map[string]any {
	user, rest, ok := strings.Cut(msg, " : ")
	if !ok || !strings.Contains(rest, "COMMAND=") {
		return nil
	}
	user = strings.TrimSpace(user)
	sudo := map[string]any{}
	e.Event.Outcome = "success"
	for _, part := range strings.Split(rest, " ; ") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.Contains(k, " ") {
			sudo["error"] = part
			e.Event.Outcome = "failure"
			continue
		}
		switch k {
		case "TTY", "PWD", "USER", "GROUP":
			sudo[strings.ToLower(k)] = v
		case "COMMAND":
			sudo["command"] = v
			// COMMAND runs to the end of the line even if it contains " ; ".
			if i := strings.Index(rest, "COMMAND="); i >= 0 {
				sudo["command"] = rest[i+len("COMMAND="):]
			}
		}
		if k == "COMMAND" {
			break
		}
	}
	e.User.Name = user
	if ru, _ := sudo["user"].(string); ru != "" {
		e.User.Target = &event.TargetUser{Name: ru}
	}
	cmd, _ := sudo["command"].(string)
	e.Process.CommandLine = cmd
	if exe, _, _ := strings.Cut(cmd, " "); exe != "" {
		e.Process.Executable = exe
		e.Process.Args = strings.Fields(cmd)
	}
	e.Event.Category = []string{"process"}
	e.Event.Type = []string{"start"}
	e.Event.Action = "sudo"
	return map[string]any{"sudo": sudo}
}

// parseSu: "(to root) alice on pts/0", "FAILED SU (to root) alice on pts/0",
// "Successful su for root by alice", "FAILED su for root by alice".
func parseSu(e *event.Event, msg string) map[string]any {
	var from, to, outcome string
	switch {
	case strings.HasPrefix(msg, "(to ") || strings.HasPrefix(msg, "FAILED SU (to "):
		outcome = "success"
		if strings.HasPrefix(msg, "FAILED") {
			outcome = "failure"
		}
		r := msg[strings.Index(msg, "(to ")+4:]
		var ok bool
		to, r, ok = strings.Cut(r, ") ")
		if !ok {
			return nil
		}
		from, _, _ = strings.Cut(r, " on ")
	case strings.HasPrefix(msg, "Successful su for ") || strings.HasPrefix(msg, "FAILED su for "):
		outcome = "success"
		if msg[0] == 'F' {
			outcome = "failure"
		}
		r := msg[strings.Index(msg, " for ")+5:]
		var ok bool
		to, from, ok = strings.Cut(r, " by ")
		if !ok {
			return nil
		}
	default:
		return nil
	}
	e.User.Name = from
	e.User.Target = &event.TargetUser{Name: to}
	e.Event.Category = []string{"authentication"}
	e.Event.Type = []string{"start"}
	e.Event.Outcome = outcome
	e.Event.Action = "su"
	return map[string]any{"su": map[string]any{"user": from, "target_user": to}}
}

// keyValues parses "name=mallory, UID=1001, GID=1001, home=/home/mallory".
func keyValues(s string) map[string]any {
	out := map[string]any{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}

// parseUserMgmt: "new user: name=...", "new group: name=...", "group added
// to /etc/group: name=...", "add 'mallory' to group 'sudo'", "delete user 'mallory'".
func parseUserMgmt(e *event.Event, app, msg string) map[string]any {
	set := func(typ, action, target string) {
		e.Event.Category = []string{"iam"}
		e.Event.Type = []string{typ[:strings.IndexByte(typ, ' ')], typ[strings.IndexByte(typ, ' ')+1:]}
		e.Event.Action = action
		e.Event.Outcome = "success"
		if target != "" {
			e.User.Target = &event.TargetUser{Name: target}
		}
	}
	name := func(kv map[string]any) string { s, _ := kv["name"].(string); return s }
	switch {
	case strings.HasPrefix(msg, "new user: "):
		kv := keyValues(msg[len("new user: "):])
		set("user creation", "user_created", name(kv))
		return map[string]any{"useradd": kv}
	case strings.HasPrefix(msg, "new group: ") || strings.HasPrefix(msg, "group added to "):
		_, r, _ := strings.Cut(msg, ": ")
		kv := keyValues(r)
		set("group creation", "group_created", "")
		return map[string]any{"groupadd": kv}
	case strings.HasPrefix(msg, "add '"):
		// add 'mallory' to group 'sudo' / add 'mallory' to shadow group 'sudo'
		parts := strings.Split(msg, "'")
		if len(parts) < 4 {
			return nil
		}
		set("group change", "user_added_to_group", parts[1])
		return map[string]any{"usermod": map[string]any{"user": parts[1], "group": parts[3]}}
	case strings.HasPrefix(msg, "delete user '"):
		parts := strings.Split(msg, "'")
		if len(parts) < 2 {
			return nil
		}
		set("user deletion", "user_deleted", parts[1])
		return map[string]any{"userdel": map[string]any{"user": parts[1]}}
	case strings.HasPrefix(msg, "change user '"):
		parts := strings.Split(msg, "'")
		if len(parts) < 2 {
			return nil
		}
		set("user change", "user_changed", parts[1])
		return map[string]any{app: map[string]any{"user": parts[1], "change": msg}}
	}
	return nil
}
