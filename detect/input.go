package detect

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/vigil-soc/vigil/event"
)

// pathSet is the tree of input paths the loaded policies read. A nil
// *pathSet or one with all set means "the whole subtree".
type pathSet struct {
	all  bool
	kids map[string]*pathSet
	// list holds kids in the order added, for iteration.
	list []*pathSet
	name string
	// key is this node's key as a term, shared by every input built: one
	// allocation per policy set instead of two per key per event.
	key *ast.Term
}

// want returns the subtree for key, or nil when no policy reads it.
func (p *pathSet) want(key string) (*pathSet, bool) {
	if p == nil || p.all {
		return p, true
	}
	k, ok := p.kids[key]
	return k, ok
}

// keyTerm returns the term for key, a child of p.
func (p *pathSet) keyTerm(key string) *ast.Term {
	if p != nil && !p.all {
		if k := p.kids[key]; k != nil && k.key != nil {
			return k.key
		}
	}
	return ast.StringTerm(key)
}

func (p *pathSet) add(path []string) {
	n := p
	for _, k := range path {
		if n.all {
			return
		}
		if n.kids == nil {
			n.kids = map[string]*pathSet{}
		}
		c, ok := n.kids[k]
		if !ok {
			c = &pathSet{key: ast.StringTerm(k), name: k}
			n.kids[k] = c
			n.list = append(n.list, c)
		}
		n = c
	}
	n.all = true
	n.kids, n.list = nil, nil
}

// inputPaths collects the input paths read by modules. A reference with a
// variable or computed part, or a bare input, keeps the whole subtree from
// that point. object.get(<input ref>, <constant path>, default) reads only
// the path it names, so it keeps that path and not the whole reference.
//
// The compiler moves references out of call arguments into generated local
// variables (__local1__ = input; object.get(__local1__, ["a", "b"], "")),
// so a local assigned an input reference stands for that reference.
func inputPaths(modules map[string]*ast.Module) *pathSet {
	root := &pathSet{}
	for _, m := range modules {
		for _, r := range m.Rules {
			collectPaths(root, r)
		}
	}
	return root
}

var objectGetRef = ast.Ref{ast.VarTerm("object"), ast.StringTerm("get")}

// collectPaths adds the input paths rule r reads to root.
func collectPaths(root *pathSet, r *ast.Rule) {
	// Generated locals bound to an input reference.
	aliases := map[ast.Var][]string{}
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		if !e.IsEquality() && !e.IsAssignment() {
			return false
		}
		terms := e.Terms.([]*ast.Term)
		v, ok := terms[1].Value.(ast.Var)
		if !ok || !v.IsGenerated() {
			return false
		}
		// Only a reference with constant keys: a local bound to an
		// element of an iterated collection is not the collection.
		if path, ok := inputRefPath(terms[2].Value, aliases); ok && isConstRef(terms[2].Value) {
			aliases[v] = path
		}
		return false
	})

	var vis *ast.GenericVisitor
	// ref records the input path of x, if x is an input reference or an
	// alias, and walks the computed parts of the reference.
	ref := func(x ast.Value) bool {
		path, ok := inputRefPath(x, aliases)
		if !ok {
			return false
		}
		root.add(path)
		if rr, isRef := x.(ast.Ref); isRef {
			for _, p := range rr[1:] {
				vis.Walk(p)
			}
		}
		return true
	}
	// objectGet handles the terms of a call: object.get on an input
	// reference with a constant key.
	objectGet := func(terms []*ast.Term) bool {
		if len(terms) < 4 || !objectGetRef.Equal(terms[0].Value) {
			return false
		}
		base, ok := inputRefPath(terms[1].Value, aliases)
		if !ok {
			return false
		}
		key, ok := constPath(terms[2].Value)
		if !ok {
			return false
		}
		root.add(append(base[:len(base):len(base)], key...))
		if rr, isRef := terms[1].Value.(ast.Ref); isRef {
			for _, p := range rr[1:] {
				vis.Walk(p)
			}
		}
		for _, t := range terms[3:] {
			vis.Walk(t)
		}
		return true
	}
	vis = ast.NewGenericVisitor(func(x any) bool {
		switch v := x.(type) {
		case *ast.Expr:
			if !v.IsCall() {
				return false
			}
			terms := v.Terms.([]*ast.Term)
			if v.IsEquality() || v.IsAssignment() {
				// The binding of an alias is not a read; its uses are.
				if lv, ok := terms[1].Value.(ast.Var); ok {
					if _, isAlias := aliases[lv]; isAlias {
						if rr, isRef := terms[2].Value.(ast.Ref); isRef {
							for _, p := range rr[1:] {
								vis.Walk(p)
							}
						}
						return true
					}
				}
			}
			if objectGet(terms) {
				for _, w := range v.With {
					vis.Walk(w)
				}
				return true
			}
		case ast.Call:
			return objectGet(v)
		case ast.Ref:
			if ref(v) {
				return true
			}
			return false // descend into the reference's terms
		case ast.Var:
			return ref(v)
		}
		return false
	})
	vis.Walk(r)
}

// inputRefPath returns the constant path of an input reference (up to its
// first computed part), or of an alias of one. ok is false for values that
// are neither.
func inputRefPath(x ast.Value, aliases map[ast.Var][]string) (path []string, ok bool) {
	var rest ast.Ref
	switch v := x.(type) {
	case ast.Var:
		if v.Equal(ast.InputRootDocument.Value) {
			return nil, true
		}
		p, ok := aliases[v]
		return p, ok
	case ast.Ref:
		head, isVar := v[0].Value.(ast.Var)
		switch {
		case v[0].Equal(ast.InputRootDocument):
		case isVar && aliases[head] != nil:
			path = append(path, aliases[head]...)
		case isVar:
			if _, alias := aliases[head]; !alias {
				return nil, false
			}
		default:
			return nil, false
		}
		rest = v[1:]
	default:
		return nil, false
	}
	for _, p := range rest {
		s, isStr := p.Value.(ast.String)
		if !isStr {
			break
		}
		path = append(path, string(s))
	}
	return path, true
}

// isConstRef reports whether x is a variable or a reference whose keys
// after the head are all strings.
func isConstRef(x ast.Value) bool {
	r, ok := x.(ast.Ref)
	if !ok {
		_, isVar := x.(ast.Var)
		return isVar
	}
	for _, p := range r[1:] {
		if _, ok := p.Value.(ast.String); !ok {
			return false
		}
	}
	return true
}

// constPath returns the keys of object.get's second argument when they
// are constant strings.
func constPath(x ast.Value) ([]string, bool) {
	switch k := x.(type) {
	case ast.String:
		return []string{string(k)}, true
	case *ast.Array:
		out := make([]string, 0, k.Len())
		for i := range k.Len() {
			s, ok := k.Elem(i).Value.(ast.String)
			if !ok {
				return nil, false
			}
			out = append(out, string(s))
		}
		return out, true
	}
	return nil, false
}

// String lists the paths of p, for tests and debugging.
func (p *pathSet) String() string {
	var out []string
	var walk func(prefix string, n *pathSet)
	walk = func(prefix string, n *pathSet) {
		if n.all {
			out = append(out, prefix+"*")
			return
		}
		for k, c := range n.kids {
			walk(prefix+k+".", c)
		}
	}
	walk("input.", p)
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// eventValue builds the policy input for ev directly as an AST value, with
// the same shape as ev.MarshalJSON but only the paths in need (nil: all).
func eventValue(ev *event.Event, need *pathSet) ast.Value {
	var b inputBuilder
	return b.value(ev, need)
}

// inputBuilder builds inputs; its scratch space is reused from event to
// event. It is not safe for concurrent use.
type inputBuilder struct {
	kvs [][2]*ast.Term // key/value pairs of the objects being built, nested
	// terms is the free part of a block of terms: one allocation for many
	// value terms. A block is never reused; each event takes fresh terms.
	terms []ast.Term
	// syms holds the terms of values that recur from event to event
	// (dataset, action, code, outcome, ...), shared by the inputs this
	// builder makes. Policies never modify input terms.
	syms map[string]*ast.Term
	// shared holds objects and lists built only of shared terms
	// (event: {action, code, dataset, outcome}, source.geo,
	// organization, ...) by their members, so that the events that
	// repeat them share one value instead of building it each time.
	shared map[sharedKey]*ast.Term
	// raw parses the vendor values kept as text, for the input and for
	// the rule index's questions (eventResolver).
	raw rawParser
}

const (
	termBlock = 64
	maxSyms   = 4096
	maxShared = 4096
	// maxSharedLen is the most members a shared object or list has.
	maxSharedLen = 8
)

// sharedKey identifies a value built only of shared terms: the path node
// it is built for, whether it is a list, and its members' key and value
// terms, in the order built.
type sharedKey struct {
	node  *pathSet
	list  bool
	n     int
	terms [2 * maxSharedLen]*ast.Term
}

// sharedValue returns the shared term for a value built only of shared
// terms: a list of elems when elems is not nil, else an object of kvs.
// build makes it the first time; ok is false for values too long to share.
func (ib *inputBuilder) sharedValue(node *pathSet, kvs [][2]*ast.Term, elems []*ast.Term, build func() ast.Value) (*ast.Term, bool) {
	list := elems != nil
	k := sharedKey{node: node, list: list}
	switch {
	case list && len(elems) <= maxSharedLen:
		k.n = len(elems)
		copy(k.terms[:], elems)
	case !list && len(kvs) <= maxSharedLen:
		k.n = len(kvs)
		for i, kv := range kvs {
			k.terms[2*i], k.terms[2*i+1] = kv[0], kv[1]
		}
	default:
		return nil, false
	}
	if t, ok := ib.shared[k]; ok {
		return t, true
	}
	if ib.shared == nil || len(ib.shared) >= maxShared {
		ib.shared = make(map[sharedKey]*ast.Term, 256)
	}
	t := ast.NewTerm(build())
	ib.shared[k] = t
	return t, true
}

func (ib *inputBuilder) newTerm(v ast.Value) *ast.Term {
	if len(ib.terms) == 0 {
		ib.terms = make([]ast.Term, termBlock)
	}
	t := &ib.terms[0]
	ib.terms = ib.terms[1:]
	t.Value = v
	return t
}

// sym returns the shared term for the string s.
func (ib *inputBuilder) sym(s string) *ast.Term {
	if t, ok := ib.syms[s]; ok {
		return t
	}
	if ib.syms == nil || len(ib.syms) >= maxSyms {
		ib.syms = make(map[string]*ast.Term, 256)
		// Shared values are known by their members' terms, which are
		// replaced from now on.
		ib.shared = nil
	}
	t := ast.StringTerm(s)
	ib.syms[s] = t
	return t
}

// value builds the input for ev. The ECS fields are built eagerly, only
// the paths in need. Vendor namespaces (winlog, aws, o365, ...) the parser
// decoded stay its maps: when a policy reads one, the input is an
// ast.LazyObject that converts a vendor subtree on first access, so an
// event converts only the vendor fields the rules its indexed conditions
// selected actually read. A namespace the parser kept as text is parsed
// and converted at once, only the paths in need.
func (ib *inputBuilder) value(ev *event.Event, need *pathSet) ast.Value {
	ib.kvs = ib.kvs[:0]
	o := objb{need: need, ib: ib}
	o.time("@timestamp", ev.Timestamp)
	o.obj("event", false, func(b *objb) {
		m := &ev.Event
		b.strAlways("id", m.ID)
		b.sym("kind", m.Kind)
		b.syms("category", m.Category)
		b.syms("type", m.Type)
		b.sym("action", m.Action)
		b.sym("outcome", m.Outcome)
		b.sym("dataset", m.Dataset)
		b.sym("module", m.Module)
		b.sym("provider", m.Provider)
		b.sym("code", m.Code)
		b.num("severity", int64(m.Severity))
		b.str("original", m.Original)
		b.time("created", m.Created)
		b.time("ingested", m.Ingested)
	})
	o.obj("organization", false, func(b *objb) {
		b.sym("id", ev.Organization.ID)
		b.str("name", ev.Organization.Name)
	})
	o.obj("user", false, func(b *objb) {
		u := &ev.User
		b.str("name", u.Name)
		b.str("domain", u.Domain)
		b.str("id", u.ID)
		b.str("email", u.Email)
		b.strs("roles", u.Roles)
		if t := u.Target; t != nil {
			b.obj("target", true, func(b *objb) {
				b.str("name", t.Name)
				b.str("domain", t.Domain)
				b.str("id", t.ID)
				b.str("email", t.Email)
			})
		}
	})
	endpoint := func(b *objb, e *event.Endpoint) {
		b.str("ip", e.IP)
		b.num("port", int64(e.Port))
		b.str("domain", e.Domain)
		b.str("address", e.Address)
		b.num("bytes", e.Bytes)
		b.num("packets", e.Packets)
		b.obj("geo", false, func(b *objb) {
			g := &e.Geo
			b.sym("country_iso_code", g.CountryISOCode)
			b.sym("country_name", g.CountryName)
			b.str("region_name", g.RegionName)
			b.str("city_name", g.CityName)
			if g.Location != nil {
				b.obj("location", true, func(b *objb) {
					b.float("lat", g.Location.Lat)
					b.float("lon", g.Location.Lon)
				})
			}
		})
	}
	o.obj("source", false, func(b *objb) { endpoint(b, &ev.Source) })
	o.obj("destination", false, func(b *objb) { endpoint(b, &ev.Destination) })
	o.obj("host", false, func(b *objb) {
		h := &ev.Host
		b.str("name", h.Name)
		b.str("hostname", h.Hostname)
		b.str("id", h.ID)
		b.strs("ip", h.IP)
		b.obj("os", false, func(b *objb) {
			b.sym("family", h.OS.Family)
			b.sym("name", h.OS.Name)
		})
	})
	o.obj("process", false, func(b *objb) {
		p := &ev.Process
		b.num("pid", p.PID)
		b.str("name", p.Name)
		b.str("executable", p.Executable)
		b.str("command_line", p.CommandLine)
		b.strs("args", p.Args)
		b.str("entity_id", p.EntityID)
		if pp := p.Parent; pp != nil {
			b.obj("parent", true, func(b *objb) {
				b.num("pid", pp.PID)
				b.str("name", pp.Name)
				b.str("executable", pp.Executable)
				b.str("command_line", pp.CommandLine)
			})
		}
	})
	o.obj("file", false, func(b *objb) {
		f := &ev.File
		b.str("path", f.Path)
		b.str("name", f.Name)
		b.str("directory", f.Directory)
		b.str("extension", f.Extension)
		b.num("size", f.Size)
	})
	o.obj("cloud", false, func(b *objb) {
		c := &ev.Cloud
		b.sym("provider", c.Provider)
		b.sym("region", c.Region)
		b.obj("account", false, func(b *objb) {
			b.sym("id", c.Account.ID)
			b.str("name", c.Account.Name)
		})
		b.obj("service", false, func(b *objb) { b.sym("name", c.Service.Name) })
	})
	o.obj("network", false, func(b *objb) {
		n := &ev.Network
		b.sym("transport", n.Transport)
		b.sym("protocol", n.Protocol)
		b.sym("direction", n.Direction)
		b.num("bytes", n.Bytes)
		b.str("community_id", n.CommunityID)
	})
	o.obj("dns", false, func(b *objb) {
		d := &ev.DNS
		b.obj("question", false, func(b *objb) {
			b.str("name", d.Question.Name)
			b.sym("type", d.Question.Type)
			b.str("registered_domain", d.Question.RegisteredDomain)
		})
		b.sym("response_code", d.ResponseCode)
		b.strs("answers", d.Answers)
	})
	o.obj("url", false, func(b *objb) {
		b.str("full", ev.URL.Full)
		b.str("domain", ev.URL.Domain)
		b.str("path", ev.URL.Path)
	})
	o.obj("http", false, func(b *objb) {
		b.sym("method", ev.HTTP.Method)
		b.num("status_code", int64(ev.HTTP.StatusCode))
	})
	o.obj("tls", false, func(b *objb) {
		b.sym("version", ev.TLS.Version)
		b.str("server_name", ev.TLS.ServerName)
		b.str("ja3", ev.TLS.JA3)
	})
	o.obj("email", false, func(b *objb) {
		b.strs("to", ev.Email.To)
		b.str("from", ev.Email.From)
		b.str("subject", ev.Email.Subject)
	})
	o.obj("user_agent", false, func(b *objb) { b.str("original", ev.UserAgent.Original) })
	o.obj("related", false, func(b *objb) {
		b.strs("user", ev.Related.User)
		b.strs("ip", ev.Related.IP)
		b.strs("hosts", ev.Related.Hosts)
	})
	o.str("message", ev.Message)
	o.strs("tags", ev.Tags)
	var lazy map[string]any
	for k, v := range ev.Vendor {
		if event.IsECSField(k) {
			continue
		}
		sub, ok := need.want(k)
		if !ok {
			continue
		}
		if lazy == nil {
			lazy = make(map[string]any, len(ib.kvs)+len(ev.Vendor))
		}
		lazy[k] = ib.vendorInput(v, sub)
	}
	if lazy == nil {
		return ast.NewObject(ib.kvs...)
	}
	// A lazy object's members are converted on access; an AST value is
	// taken as is. (Only the root can be lazy: an object hashes its
	// values when built, which would convert a lazy member whole.)
	for _, kv := range ib.kvs {
		lazy[string(kv[0].Value.(ast.String))] = kv[1].Value
	}
	return ast.LazyObject(lazy)
}

// objb adds the key/value pairs of one object to the builder's scratch
// space, skipping keys no policy reads and empty values (as
// encoding/json's omitempty does).
type objb struct {
	need *pathSet
	ib   *inputBuilder
	// private is set once a value of this event's own was added: the
	// object cannot be shared with other events.
	private bool
}

func (b *objb) put(k string, v ast.Value) {
	b.private = true
	b.ib.kvs = append(b.ib.kvs, [2]*ast.Term{b.need.keyTerm(k), b.ib.newTerm(v)})
}

// putShared adds a term shared by the inputs of many events.
func (b *objb) putShared(k string, t *ast.Term) {
	b.ib.kvs = append(b.ib.kvs, [2]*ast.Term{b.need.keyTerm(k), t})
}

// sym adds a string of a field whose values recur (a code, an action, a
// dataset) as a shared term.
func (b *objb) sym(k, v string) {
	if v == "" {
		return
	}
	if _, ok := b.need.want(k); ok {
		b.putShared(k, b.ib.sym(v))
	}
}

// syms adds a list of recurring strings.
func (b *objb) syms(k string, v []string) {
	if len(v) == 0 {
		return
	}
	sub, ok := b.need.want(k)
	if !ok {
		return
	}
	ts := make([]*ast.Term, len(v))
	for i, s := range v {
		ts[i] = b.ib.sym(s)
	}
	if t, ok := b.ib.sharedValue(sub, nil, ts, func() ast.Value { return ast.NewArray(ts...) }); ok {
		b.putShared(k, t)
		return
	}
	b.put(k, ast.NewArray(ts...))
}

func (b *objb) str(k, v string) {
	if v == "" {
		return
	}
	b.strAlways(k, v)
}

func (b *objb) strAlways(k, v string) {
	if _, ok := b.need.want(k); ok {
		b.put(k, ast.String(v))
	}
}

func (b *objb) strs(k string, v []string) {
	if len(v) == 0 {
		return
	}
	if _, ok := b.need.want(k); ok {
		ts := make([]*ast.Term, len(v))
		for i, s := range v {
			ts[i] = b.ib.newTerm(ast.String(s))
		}
		b.put(k, ast.NewArray(ts...))
	}
}

func (b *objb) num(k string, v int64) {
	if v == 0 {
		return
	}
	if _, ok := b.need.want(k); ok {
		b.put(k, ast.Number(strconv.FormatInt(v, 10)))
	}
}

func (b *objb) float(k string, v float64) {
	if _, ok := b.need.want(k); ok {
		b.put(k, ast.Number(strconv.FormatFloat(v, 'g', -1, 64)))
	}
}

func (b *objb) time(k string, t time.Time) {
	if t.IsZero() {
		return
	}
	if _, ok := b.need.want(k); ok {
		b.put(k, ast.String(t.Format(time.RFC3339Nano)))
	}
}

// obj adds a nested object built by fill. Without keep, an object that ends
// up empty is left out (omitzero on a struct). An object of shared terms
// only is itself shared.
func (b *objb) obj(k string, keep bool, fill func(*objb)) {
	sub, ok := b.need.want(k)
	if !ok {
		return
	}
	start := len(b.ib.kvs)
	child := &objb{need: sub, ib: b.ib}
	fill(child)
	kvs := b.ib.kvs[start:]
	if len(kvs) == 0 && !keep {
		return
	}
	// Keys of a subtree read whole are not shared terms (keyTerm).
	if !child.private && sub != nil && !sub.all {
		t, ok := b.ib.sharedValue(sub, kvs, nil, func() ast.Value { return ast.NewObject(kvs...) })
		if ok {
			b.ib.kvs = b.ib.kvs[:start]
			b.putShared(k, t)
			return
		}
	}
	// NewObject copies the pairs; the scratch space is free again.
	v := ast.NewObject(kvs...)
	b.ib.kvs = b.ib.kvs[:start]
	b.put(k, v)
}
