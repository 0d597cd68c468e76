package detect

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/valyala/fastjson"

	"github.com/vigil-soc/vigil/event"
)

// eventField reads one string field of an event; "" is absent, as in the
// policy input (empty strings are left out of it).
type eventField func(*event.Event) string

// indexedFields are the ECS string fields detections key their indexed
// conditions on, read straight from the event. The rule index asks for a
// handful of them per event; answering from the struct spares the events
// no rule can match (about half of a realistic stream) the building of
// their policy input.
var indexedFields = map[string]eventField{
	"event.action":                     func(e *event.Event) string { return e.Event.Action },
	"event.code":                       func(e *event.Event) string { return e.Event.Code },
	"event.dataset":                    func(e *event.Event) string { return e.Event.Dataset },
	"event.outcome":                    func(e *event.Event) string { return e.Event.Outcome },
	"event.kind":                       func(e *event.Event) string { return e.Event.Kind },
	"event.module":                     func(e *event.Event) string { return e.Event.Module },
	"event.provider":                   func(e *event.Event) string { return e.Event.Provider },
	"organization.id":                  func(e *event.Event) string { return e.Organization.ID },
	"user.name":                        func(e *event.Event) string { return e.User.Name },
	"user.domain":                      func(e *event.Event) string { return e.User.Domain },
	"user.id":                          func(e *event.Event) string { return e.User.ID },
	"user.email":                       func(e *event.Event) string { return e.User.Email },
	"user.target.name":                 func(e *event.Event) string { return targetUser(e).Name },
	"user.target.domain":               func(e *event.Event) string { return targetUser(e).Domain },
	"user.target.id":                   func(e *event.Event) string { return targetUser(e).ID },
	"user.target.email":                func(e *event.Event) string { return targetUser(e).Email },
	"source.ip":                        func(e *event.Event) string { return e.Source.IP },
	"source.domain":                    func(e *event.Event) string { return e.Source.Domain },
	"destination.ip":                   func(e *event.Event) string { return e.Destination.IP },
	"destination.domain":               func(e *event.Event) string { return e.Destination.Domain },
	"source.geo.country_iso_code":      func(e *event.Event) string { return e.Source.Geo.CountryISOCode },
	"source.geo.country_name":          func(e *event.Event) string { return e.Source.Geo.CountryName },
	"destination.geo.country_iso_code": func(e *event.Event) string { return e.Destination.Geo.CountryISOCode },
	"destination.geo.country_name":     func(e *event.Event) string { return e.Destination.Geo.CountryName },
	"host.name":                        func(e *event.Event) string { return e.Host.Name },
	"host.hostname":                    func(e *event.Event) string { return e.Host.Hostname },
	"process.name":                     func(e *event.Event) string { return e.Process.Name },
	"process.executable":               func(e *event.Event) string { return e.Process.Executable },
	"process.command_line":             func(e *event.Event) string { return e.Process.CommandLine },
	"process.parent.name":              func(e *event.Event) string { return parentProcess(e).Name },
	"process.parent.executable":        func(e *event.Event) string { return parentProcess(e).Executable },
	"file.path":                        func(e *event.Event) string { return e.File.Path },
	"file.name":                        func(e *event.Event) string { return e.File.Name },
	"file.extension":                   func(e *event.Event) string { return e.File.Extension },
	"cloud.provider":                   func(e *event.Event) string { return e.Cloud.Provider },
	"cloud.account.id":                 func(e *event.Event) string { return e.Cloud.Account.ID },
	"cloud.service.name":               func(e *event.Event) string { return e.Cloud.Service.Name },
	"network.transport":                func(e *event.Event) string { return e.Network.Transport },
	"network.protocol":                 func(e *event.Event) string { return e.Network.Protocol },
	"dns.question.name":                func(e *event.Event) string { return e.DNS.Question.Name },
	"dns.question.type":                func(e *event.Event) string { return e.DNS.Question.Type },
	"dns.response_code":                func(e *event.Event) string { return e.DNS.ResponseCode },
	"url.domain":                       func(e *event.Event) string { return e.URL.Domain },
	"url.path":                         func(e *event.Event) string { return e.URL.Path },
	"http.method":                      func(e *event.Event) string { return e.HTTP.Method },
	"tls.server_name":                  func(e *event.Event) string { return e.TLS.ServerName },
	"user_agent.original":              func(e *event.Event) string { return e.UserAgent.Original },
}

var (
	noUser    event.TargetUser
	noProcess event.Parent
)

func targetUser(e *event.Event) *event.TargetUser {
	if e.User.Target == nil {
		return &noUser
	}
	return e.User.Target
}

func parentProcess(e *event.Event) *event.Parent {
	if e.Process.Parent == nil {
		return &noProcess
	}
	return e.Process.Parent
}

// eventResolver answers the rule index's questions about one event from
// the event itself: the indexed ECS fields above, and scalar vendor fields
// from the parser's maps. Anything else (a whole object, a list, a field
// not listed) is read from the policy input, which it then builds once; the
// evaluation reuses it.
type eventResolver struct {
	ev    *event.Event
	need  *pathSet
	ib    *inputBuilder
	input ast.Value // built on first need
	key   []byte
	// memo holds the values the prefilter computed for this event, by
	// slot (see checkEnv.ruleValue); a slot is this event's when its
	// epoch is the resolver's.
	memo  []memoSlot
	epoch uint64
}

type memoSlot struct {
	epoch uint64
	v     ast.Value
	known bool
}

func (r *eventResolver) reset(ev *event.Event, need *pathSet, ib *inputBuilder) {
	r.ev, r.need, r.ib, r.input = ev, need, ib, nil
	r.epoch++
	ib.raw.forget()
}

// value returns the policy input of the event, building it if needed.
func (r *eventResolver) value() ast.Value {
	if r.input == nil {
		r.input = r.ib.value(r.ev, r.need)
	}
	return r.input
}

func (r *eventResolver) Resolve(ref ast.Ref) (ast.Value, error) {
	if !ref[0].Equal(ast.InputRootDocument) {
		return nil, ast.UnknownValueErr{}
	}
	if v, ok := r.direct(ref[1:]); ok {
		return v, nil
	}
	return inputResolver{r.value()}.Resolve(ref)
}

// direct answers path from the event when it names an indexed ECS field or
// a scalar vendor field that policies read; ok is false when it cannot.
// A nil value with ok is undefined.
func (r *eventResolver) direct(path ast.Ref) (ast.Value, bool) {
	if len(path) == 0 {
		return nil, false
	}
	head, ok := path[0].Value.(ast.String)
	if !ok {
		return nil, false
	}
	if !event.IsECSField(string(head)) {
		return r.vendor(path)
	}
	r.key = r.key[:0]
	for i, t := range path {
		s, ok := t.Value.(ast.String)
		if !ok {
			return nil, false
		}
		if i > 0 {
			r.key = append(r.key, '.')
		}
		r.key = append(r.key, s...)
	}
	field, ok := indexedFields[string(r.key)]
	if !ok {
		return nil, false
	}
	// A path no policy reads is absent from the input.
	if !r.wanted(path) {
		return nil, true
	}
	if s := field(r.ev); s != "" {
		return ast.String(s), true
	}
	return nil, true
}

// wanted reports whether the input built for the policies holds path.
func (r *eventResolver) wanted(path ast.Ref) bool {
	n := r.need
	for _, t := range path {
		var ok bool
		if n, ok = n.want(string(t.Value.(ast.String))); !ok {
			return false
		}
	}
	return true
}

// vendor answers a path into a vendor namespace when it ends at a scalar.
func (r *eventResolver) vendor(path ast.Ref) (ast.Value, bool) {
	if !r.wanted(path[:1]) {
		return nil, true
	}
	var cur any = r.ev.Vendor
	for i, t := range path {
		if raw, isRaw := cur.(event.RawJSON); isRaw {
			return r.rawVendor(raw, path[i:])
		}
		k, isStr := t.Value.(ast.String)
		if strs, ok := cur.(map[string]string); ok && isStr && i == len(path)-1 {
			if s, found := strs[string(k)]; found {
				return ast.String(s), true
			}
			return nil, true
		}
		m, isMap := cur.(map[string]any)
		if !isMap || !isStr {
			return nil, false
		}
		var found bool
		if cur, found = m[string(k)]; !found {
			return nil, true
		}
	}
	switch cur.(type) {
	case string, float64, bool, nil:
		v, err := ast.InterfaceToValue(cur)
		return v, err == nil
	}
	return nil, false
}

// rawVendor answers path within a vendor value kept as text when it ends
// at a scalar.
func (r *eventResolver) rawVendor(raw event.RawJSON, path ast.Ref) (ast.Value, bool) {
	v, ok := r.ib.raw.parse(raw)
	if !ok {
		return nil, false
	}
	for _, t := range path {
		k, isStr := t.Value.(ast.String)
		if !isStr || v.Type() != fastjson.TypeObject {
			return nil, false
		}
		if v = v.GetObject().Get(string(k)); v == nil {
			return nil, true
		}
	}
	return jsonScalar(v, r.ib.raw.text)
}
