package parse

import (
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
)

// winRecord is a Windows event in any of the accepted JSON layouts,
// reduced to the System fields and the EventData strings.
type winRecord struct {
	text     *recordText
	eventID  int
	channel  string
	provider string
	computer string
	recordID string
	ts       time.Time
	keywords string
	message  string
	// data holds the EventData strings; it becomes winlog.event_data as
	// is (a map of strings: no value boxed in an interface).
	data map[string]string
	// winlog holds the extra System / winlog fields kept under winlog.*;
	// windowsEvent adds the rest and uses it as is.
	winlog map[string]any
}

// str returns an EventData value as recorded ("-" included).
func (w *winRecord) str(k string) string { return w.data[k] }

// winlogFixed is how many keys windowsEvent adds to winRecord.winlog.
const winlogFixed = 6

func (w *winRecord) d(k string) string {
	v := w.data[k]
	if v == "-" {
		return ""
	}
	return v
}

// parseWindows handles Windows Security / System / Sysmon events as JSON:
// the Winlogbeat form {"winlog":{...}}, the evtx-to-JSON form
// {"Event":{"System":{...},"EventData":{...}}} and the flat form of public
// attack datasets {"EventID":4624,"Channel":"Security",...}.
func parseWindows(dst []event.Event, t *recordText, v *fastjson.Value, rec Record) ([]event.Event, error) {
	w := winRecord{text: t}
	var err error
	switch {
	case v.Get("winlog") != nil:
		err = w.fromWinlogbeat(v)
	case v.Get("Event", "System") != nil:
		err = w.fromEvtx(v.Get("Event"))
	default:
		loc := rec.Location
		if loc == nil {
			loc = time.UTC
		}
		err = w.fromFlat(v, loc)
	}
	if err != nil {
		return dst, err
	}
	return append(dst, windowsEvent(&w, rec)), nil
}

func intOf(v *fastjson.Value) (int, bool) {
	if v == nil {
		return 0, false
	}
	if v.Type() == fastjson.TypeObject { // evtx {"#text": 4624, "#attributes": {...}}
		v = v.Get("#text")
		if v == nil {
			return 0, false
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(asString(v)))
	return n, err == nil
}

// objLen is the number of keys of an object value, 0 for anything else.
func objLen(v *fastjson.Value) int {
	if v == nil {
		return 0
	}
	if o, err := v.Object(); err == nil {
		return o.Len()
	}
	return 0
}

func objStrings(t *recordText, v *fastjson.Value, into map[string]string) {
	o, err := v.Object()
	if err != nil {
		return
	}
	o.Visit(func(k []byte, c *fastjson.Value) { into[internKey(k)] = t.asString(c) })
}

func (w *winRecord) fromWinlogbeat(v *fastjson.Value) error {
	wl := v.Get("winlog")
	if wl.Type() != fastjson.TypeObject {
		return errorf(ReasonInvalid, "winlog is not an object")
	}
	id, ok := intOf(wl.Get("event_id"))
	if !ok {
		return errorf(ReasonInvalid, "winlog.event_id missing or not a number")
	}
	w.eventID = id
	w.channel = w.text.asString(wl.Get("channel"))
	w.provider = w.text.asString(wl.Get("provider_name"))
	w.computer = first(w.text.asString(wl.Get("computer_name")), w.text.asString(v.Get("host", "name")))
	w.recordID = w.text.asString(wl.Get("record_id"))
	w.message = w.text.asString(v.Get("message"))
	if kw := wl.Get("keywords"); kw != nil {
		w.keywords = w.text.asString(kw)
	}
	t, ok := parseTime(w.text.asString(v.Get("@timestamp")))
	if !ok {
		return errorf(ReasonNoTimestamp, "winlogbeat @timestamp missing or malformed")
	}
	w.ts = t
	w.data = make(map[string]string, objLen(wl.Get("event_data"))+objLen(wl.Get("user_data")))
	if ed := wl.Get("event_data"); ed != nil {
		objStrings(w.text, ed, w.data)
	}
	if ud := wl.Get("user_data"); ud != nil {
		objStrings(w.text, ud, w.data)
	}
	w.winlog = make(map[string]any, 8+winlogFixed)
	wl.GetObject().Visit(func(k []byte, c *fastjson.Value) {
		switch string(k) {
		case "event_data", "user_data", "event_id", "channel", "provider_name", "computer_name", "record_id":
		default:
			w.winlog[string(k)] = w.text.toAny(c)
		}
	})
	return nil
}

func (w *winRecord) fromEvtx(ev *fastjson.Value) error {
	sys := ev.Get("System")
	id, ok := intOf(sys.Get("EventID"))
	if !ok {
		return errorf(ReasonInvalid, "Event.System.EventID missing or not a number")
	}
	w.eventID = id
	w.channel = w.text.asString(sys.Get("Channel"))
	w.provider = w.text.asString(sys.Get("Provider", "#attributes", "Name"))
	w.computer = w.text.asString(sys.Get("Computer"))
	w.recordID = w.text.asString(sys.Get("EventRecordID"))
	w.keywords = w.text.asString(sys.Get("Keywords"))
	t, ok := parseTime(w.text.asString(sys.Get("TimeCreated", "#attributes", "SystemTime")))
	if !ok {
		return errorf(ReasonNoTimestamp, "Event.System.TimeCreated.SystemTime missing or malformed")
	}
	w.ts = t
	w.data = make(map[string]string, 16)
	for _, sec := range []string{"EventData", "UserData"} {
		ed := ev.Get(sec)
		if ed == nil || ed.Type() != fastjson.TypeObject {
			continue
		}
		ed.GetObject().Visit(func(k []byte, c *fastjson.Value) {
			if string(k) == "#attributes" {
				return
			}
			if sec == "UserData" && c.Type() == fastjson.TypeObject {
				objStrings(w.text, c, w.data) // <UserData><LogFileCleared>...</LogFileCleared></UserData>
				return
			}
			w.data[internKey(k)] = w.text.asString(c)
		})
	}
	w.winlog = make(map[string]any, 8+winlogFixed)
	for _, k := range []string{"Version", "Level", "Task", "Opcode", "Keywords"} {
		if c := sys.Get(k); c != nil {
			w.winlog[strings.ToLower(k)] = w.text.toAny(c)
		}
	}
	if c := sys.Get("Execution", "#attributes"); c != nil {
		w.winlog["process"] = w.text.toAny(c)
	}
	if c := sys.Get("Security", "#attributes", "UserID"); c != nil {
		w.winlog["user"] = map[string]any{"identifier": w.text.asString(c)}
	}
	if c := sys.Get("Provider", "#attributes", "Guid"); c != nil {
		w.winlog["provider_guid"] = w.text.asString(c)
	}
	return nil
}

// flatSystem are the flat-form keys that describe the record rather than
// the event; they are read into winRecord and not repeated in event_data.
var flatSystem = map[string]bool{"EventID": true, "Channel": true, "@timestamp": true, "Message": true, "@version": true}

func (w *winRecord) fromFlat(v *fastjson.Value, loc *time.Location) error {
	id, ok := intOf(v.Get("EventID"))
	if !ok {
		return errorf(ReasonInvalid, "EventID missing or not a number")
	}
	w.eventID = id
	w.channel = w.text.asString(v.Get("Channel"))
	w.provider = first(w.text.asString(v.Get("SourceName")), w.text.asString(v.Get("ProviderName")))
	w.computer = first(w.text.asString(v.Get("Hostname")), w.text.asString(v.Get("Computer")), w.text.asString(v.Get("ComputerName")))
	w.recordID = first(w.text.asString(v.Get("EventRecordID")), w.text.asString(v.Get("RecordNumber")))
	w.message = w.text.asString(v.Get("Message"))
	w.keywords = first(w.text.asString(v.Get("EventType")), w.text.asString(v.Get("Keywords")))
	// Sized for every key of the record: the system fields among them
	// cost a little room, a map grown key by key would cost more.
	w.data = make(map[string]string, v.GetObject().Len())
	v.GetObject().Visit(func(k []byte, c *fastjson.Value) {
		if !flatSystem[string(k)] {
			w.data[internKey(k)] = w.text.asString(c)
		}
	})
	// @timestamp is UTC. Sysmon's UtcTime is UTC too. TimeCreated and
	// EventTime are the collector's local time, without an offset: they
	// are read in the topic's time zone (loc), and only when nothing
	// better exists.
	var tsOK bool
	if w.ts, tsOK = parseTime(w.text.asString(v.Get("@timestamp"))); !tsOK {
		if w.ts, tsOK = parseTime(w.str("UtcTime")); !tsOK {
			if w.ts, tsOK = parseTimeIn(w.str("TimeCreated"), loc); !tsOK {
				w.ts, tsOK = parseTimeIn(w.str("EventTime"), loc)
			}
		}
	}
	if !tsOK {
		return errorf(ReasonNoTimestamp, "no @timestamp, UtcTime, TimeCreated or EventTime")
	}
	return nil
}

func windowsDataset(channel, provider string) string {
	c := strings.ToLower(channel)
	switch {
	case strings.Contains(c, "sysmon") || strings.Contains(strings.ToLower(provider), "sysmon"):
		return "windows.sysmon"
	case c == "security":
		return "windows.security"
	case c == "system":
		return "windows.system"
	case strings.Contains(c, "powershell"):
		return "windows.powershell"
	}
	return "windows.eventlog"
}

func windowsEvent(w *winRecord, rec Record) event.Event {
	ds := windowsDataset(w.channel, w.provider)
	e := base(rec, w.text.text, "windows", ds)
	e.Timestamp = w.ts
	code := strconv.Itoa(w.eventID)
	e.Event.Code = code
	e.Event.Provider = w.provider
	if w.recordID != "" {
		e.Event.ID = sourceID(SourceWindows, w.computer, w.channel, w.recordID, code)
	} else {
		e.Event.ID = positionID(SourceWindows, rec, 0)
	}
	e.Host.Name = w.computer
	e.Host.OS.Family = "windows"
	e.Message = w.message
	sysmon := ds == "windows.sysmon"

	info := windowsInfo(w.eventID, sysmon, ds)
	e.Event.Category, e.Event.Type, e.Event.Action = info.cat, info.typ, info.action
	switch {
	case info.outcome != "":
		e.Event.Outcome = info.outcome
	case strings.Contains(w.keywords, "AUDIT_FAILURE") || strings.Contains(w.keywords, "Audit Failure"):
		e.Event.Outcome = "failure"
	case strings.Contains(w.keywords, "AUDIT_SUCCESS") || strings.Contains(w.keywords, "Audit Success"):
		e.Event.Outcome = "success"
	}

	// Users: who acted, and who was acted on.
	subject := windowsUser(w.d("SubjectUserName"), w.d("SubjectDomainName"), w.d("SubjectUserSid"))
	target := windowsUser(w.d("TargetUserName"), w.d("TargetDomainName"), w.d("TargetUserSid"))
	switch {
	case info.targetIsUser: // logons: the account that logged on
		e.User = target
		if w.eventID == 4648 { // explicit credentials: subject used target's
			e.User = subject
			e.User.Target = targetOf(windowsUser(w.d("TargetUserName"), w.d("TargetDomainName"), ""))
		}
	case info.targetIsTarget: // account management: subject acted on target
		e.User = subject
		if strings.HasPrefix(info.action, "added-member") || strings.HasPrefix(info.action, "removed-member") {
			e.User.Target = targetOf(windowsMember(w.d("MemberName"), w.d("MemberSid")))
		} else {
			e.User.Target = targetOf(target)
		}
	default:
		e.User = first2(subject, windowsUser(w.d("User"), "", ""), windowsUser(w.d("AccountName"), w.d("AccountDomain"), ""), target)
	}

	// Processes.
	switch {
	case sysmon:
		e.Process.Executable = first(w.d("Image"), w.d("SourceImage"))
		e.Process.CommandLine = w.d("CommandLine")
		e.Process.PID = parsePID(first(w.d("ProcessId"), w.d("SourceProcessId")))
		e.Process.EntityID = first(w.d("ProcessGuid"), w.d("SourceProcessGuid"))
		if pi := w.d("ParentImage"); pi != "" || w.d("ParentCommandLine") != "" {
			e.Process.Parent = &event.Parent{Executable: pi, Name: baseName(pi),
				CommandLine: w.d("ParentCommandLine"), PID: parsePID(w.d("ParentProcessId"))}
		}
	case w.eventID == 4688:
		e.Process.Executable = w.d("NewProcessName")
		e.Process.CommandLine = w.d("CommandLine")
		e.Process.PID = parsePID(w.d("NewProcessId"))
		if pp := w.d("ParentProcessName"); pp != "" || w.d("ProcessId") != "" {
			e.Process.Parent = &event.Parent{Executable: pp, Name: baseName(pp), PID: parsePID(w.d("ProcessId"))}
		}
	default:
		e.Process.Executable = first(w.d("ProcessName"), w.d("Application"), w.d("Image"))
		e.Process.PID = parsePID(w.d("ProcessId"))
	}
	e.Process.Name = baseName(e.Process.Executable)

	// Network.
	if sysmon && w.eventID == 3 {
		e.Source.IP, e.Source.Port = cleanIP(w.d("SourceIp")), atoi(w.d("SourcePort"))
		e.Destination.IP, e.Destination.Port = cleanIP(w.d("DestinationIp")), atoi(w.d("DestinationPort"))
		e.Destination.Domain = w.d("DestinationHostname")
		e.Network.Transport = strings.ToLower(w.d("Protocol"))
		if w.d("Initiated") == "true" {
			e.Network.Direction = "egress"
		} else if w.d("Initiated") == "false" {
			e.Network.Direction = "ingress"
		}
	} else {
		e.Source.IP = cleanIP(first(w.d("IpAddress"), w.d("SourceAddress"), w.d("ClientAddress")))
		e.Source.Port = atoi(first(w.d("IpPort"), w.d("SourcePort")))
		e.Destination.IP = cleanIP(first(w.d("DestAddress"), w.d("DestinationAddress")))
		e.Destination.Port = atoi(w.d("DestPort"))
		e.Source.Domain = first(w.d("WorkstationName"))
	}

	// Files.
	if p := first(w.d("TargetFilename"), w.d("RelativeTargetName")); p != "" {
		setFile(&e.File, p)
	}
	if sysmon && w.eventID == 22 {
		e.DNS.Question.Name = w.d("QueryName")
		for _, a := range strings.Split(w.d("QueryResults"), ";") {
			if ip := cleanIP(strings.TrimSpace(a)); ip != "" {
				e.DNS.Answers = append(e.DNS.Answers, ip)
			}
		}
	}

	related(&e)
	e.Related.User = addUnique(e.Related.User, subject.Name, target.Name)
	wl := w.winlog
	if wl == nil {
		wl = make(map[string]any, winlogFixed)
	}
	wl["event_id"] = code
	wl["channel"] = w.channel
	wl["provider_name"] = w.provider
	wl["computer_name"] = w.computer
	if w.recordID != "" {
		wl["record_id"] = w.recordID
	}
	wl["event_data"] = w.data
	e.Vendor = map[string]any{"winlog": wl}
	return e
}

// first2 returns the first user with a name.
func first2(us ...event.User) event.User {
	for _, u := range us {
		if u.Name != "" {
			return u
		}
	}
	return event.User{}
}

func targetOf(u event.User) *event.TargetUser {
	if u.Name == "" && u.ID == "" {
		return nil
	}
	return &event.TargetUser{Name: u.Name, Domain: u.Domain, ID: u.ID}
}

// windowsUser builds a user from name, domain and SID; "DOMAIN\user" names
// are split.
func windowsUser(name, domain, sid string) event.User {
	if i := strings.IndexByte(name, '\\'); i >= 0 {
		if domain == "" {
			domain = name[:i]
		}
		name = name[i+1:]
	}
	if name == "-" {
		name = ""
	}
	return event.User{Name: name, Domain: domain, ID: sid}
}

// windowsMember reads a group-change member: a distinguished name
// ("CN=alice,OU=...") or only a SID.
func windowsMember(dn, sid string) event.User {
	name := dn
	if strings.HasPrefix(strings.ToUpper(dn), "CN=") {
		name = dn[3:]
		if i := strings.IndexByte(name, ','); i >= 0 {
			name = name[:i]
		}
	}
	return event.User{Name: name, ID: sid}
}

func setFile(f *event.File, p string) {
	f.Path = p
	i := strings.LastIndexAny(p, `\/`)
	f.Name = p[i+1:]
	if i > 0 {
		f.Directory = p[:i]
	}
	if j := strings.LastIndexByte(f.Name, '.'); j > 0 && j < len(f.Name)-1 {
		f.Extension = strings.ToLower(f.Name[j+1:])
	}
}

func baseName(p string) string {
	if p == "" {
		return ""
	}
	return p[strings.LastIndexAny(p, `\/`)+1:]
}

// parsePID reads decimal or 0x-prefixed hexadecimal process ids.
func parsePID(s string) int64 {
	if s == "" {
		return 0
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		n, _ := strconv.ParseInt(s[2:], 16, 64)
		return n
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 {
		return 0
	}
	return n
}

type winInfo struct {
	cat, typ       []string
	action         string
	outcome        string
	targetIsUser   bool // user.* is the Target* account (logons)
	targetIsTarget bool // user.* is the Subject*, user.target.* the Target*/Member*
}

func windowsInfo(id int, sysmon bool, dataset string) winInfo {
	c := labels
	if sysmon {
		switch id {
		case 1:
			return winInfo{cat: c("process"), typ: c("start"), action: "process-created"}
		case 2:
			return winInfo{cat: c("file"), typ: c("change"), action: "file-creation-time-changed"}
		case 3:
			return winInfo{cat: c("network"), typ: c("connection", "start"), action: "network-connection"}
		case 5:
			return winInfo{cat: c("process"), typ: c("end"), action: "process-terminated"}
		case 6:
			return winInfo{cat: c("driver"), typ: c("start"), action: "driver-loaded"}
		case 7:
			return winInfo{cat: c("process"), typ: c("change"), action: "image-loaded"}
		case 8:
			return winInfo{cat: c("process"), typ: c("change"), action: "remote-thread-created"}
		case 9:
			return winInfo{cat: c("process"), typ: c("access"), action: "raw-access-read"}
		case 10:
			return winInfo{cat: c("process"), typ: c("access"), action: "process-accessed"}
		case 11:
			return winInfo{cat: c("file"), typ: c("creation"), action: "file-created"}
		case 12:
			return winInfo{cat: c("registry"), typ: c("change"), action: "registry-object-added-or-deleted"}
		case 13:
			return winInfo{cat: c("registry"), typ: c("change"), action: "registry-value-set"}
		case 14:
			return winInfo{cat: c("registry"), typ: c("change"), action: "registry-object-renamed"}
		case 15:
			return winInfo{cat: c("file"), typ: c("creation"), action: "file-stream-created"}
		case 17, 18:
			return winInfo{cat: c("file"), typ: c("creation", "access"), action: "pipe-event"}
		case 22:
			return winInfo{cat: c("network"), typ: c("protocol", "info"), action: "dns-query"}
		case 23, 26:
			return winInfo{cat: c("file"), typ: c("deletion"), action: "file-deleted"}
		case 25:
			return winInfo{cat: c("process"), typ: c("change"), action: "process-tampering"}
		}
		return winInfo{typ: c("info")}
	}
	switch id {
	case 4624:
		return winInfo{cat: c("authentication"), typ: c("start"), action: "logged-in", outcome: "success", targetIsUser: true}
	case 4625:
		return winInfo{cat: c("authentication"), typ: c("start"), action: "logon-failed", outcome: "failure", targetIsUser: true}
	case 4648:
		return winInfo{cat: c("authentication"), typ: c("start"), action: "logged-in-explicit", targetIsUser: true}
	case 4634, 4647:
		return winInfo{cat: c("authentication"), typ: c("end"), action: "logged-out", targetIsUser: true}
	case 4768, 4769, 4771, 4776:
		return winInfo{cat: c("authentication"), typ: c("start"), action: "kerberos-or-ntlm-authentication", targetIsUser: true}
	case 4688:
		return winInfo{cat: c("process"), typ: c("start"), action: "created-process"}
	case 4689:
		return winInfo{cat: c("process"), typ: c("end"), action: "exited-process"}
	case 4720:
		return winInfo{cat: c("iam"), typ: c("user", "creation"), action: "added-user-account", targetIsTarget: true}
	case 4722, 4723, 4724, 4725, 4738, 4740, 4767:
		return winInfo{cat: c("iam"), typ: c("user", "change"), action: "modified-user-account", targetIsTarget: true}
	case 4726:
		return winInfo{cat: c("iam"), typ: c("user", "deletion"), action: "deleted-user-account", targetIsTarget: true}
	case 4728, 4732, 4756:
		return winInfo{cat: c("iam"), typ: c("group", "change"), action: "added-member-to-group", targetIsTarget: true}
	case 4729, 4733, 4757:
		return winInfo{cat: c("iam"), typ: c("group", "change"), action: "removed-member-from-group", targetIsTarget: true}
	case 4727, 4731, 4754:
		return winInfo{cat: c("iam"), typ: c("group", "creation"), action: "added-group-account"}
	case 4697, 7045:
		return winInfo{cat: c("configuration"), typ: c("creation"), action: "service-installed"}
	case 4698:
		return winInfo{cat: c("configuration"), typ: c("creation"), action: "scheduled-task-created"}
	case 4699:
		return winInfo{cat: c("configuration"), typ: c("deletion"), action: "scheduled-task-deleted"}
	case 4702:
		return winInfo{cat: c("configuration"), typ: c("change"), action: "scheduled-task-updated"}
	case 1102:
		return winInfo{cat: c("configuration"), typ: c("deletion"), action: "audit-log-cleared"}
	case 104:
		if dataset == "windows.system" {
			return winInfo{cat: c("configuration"), typ: c("deletion"), action: "log-cleared"}
		}
	case 5140, 5145:
		return winInfo{cat: c("network", "file"), typ: c("access"), action: "network-share-object-accessed"}
	case 5156, 5158:
		return winInfo{cat: c("network"), typ: c("connection"), action: "windows-filtering-platform-connection"}
	case 4663, 4656, 4658:
		return winInfo{cat: c("file"), typ: c("access"), action: "object-access"}
	case 4672:
		return winInfo{cat: c("iam"), typ: c("admin"), action: "logged-in-special"}
	}
	return winInfo{typ: c("info")}
}
