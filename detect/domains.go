package detect

import (
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/types"
)

// inDomainsName is the builtin that matches a domain name against a domain
// list of the lookup data:
//
//	vigil.in_domains("cdn.evil-updates.example.", "threat_intel.domains")
//
// is true when the name or one of its parent domains is on the list at
// data.vigil.threat_intel.domains. The same test in Rego (lower-case, trim
// the root dot, probe the name and the suffix after each dot) cost about
// 16 µs per DNS event on the library's rules; the builtin does it in a
// few map probes.
const inDomainsName = "vigil.in_domains"

var inDomainsDecl = &ast.Builtin{
	Name: inDomainsName,
	Description: "Reports whether a domain name or one of its parent domains is on the list at data.vigil.<list> " +
		"(the keys of an object, or the strings of an array), case-insensitively and ignoring a trailing dot; " +
		"false for a list that does not exist.",
	Decl: types.NewFunction(
		types.Args(types.Named("name", types.S), types.Named("list", types.S)),
		types.Named("result", types.B),
	),
}

// domainLists indexes the domain lists of a policy set's data, each on its
// first use: unlike a network list, a domain list cannot be told from other
// data by its shape, so the builtin's argument names it.
type domainLists struct {
	data  map[string]any
	lists sync.Map // dotted path → domainList
}

// domainList holds a list's names, lower-cased, without a trailing dot.
type domainList map[string]struct{}

func newDomainLists(data map[string]any) *domainLists {
	return &domainLists{data: data}
}

// list returns the list at the dotted path below data.vigil, nil when there
// is none.
func (d *domainLists) list(path string) domainList {
	if l, ok := d.lists.Load(path); ok {
		return l.(domainList)
	}
	l := newDomainList(lookupPath(d.data, path))
	// Only lists are kept: a policy could name paths computed from events,
	// and remembering every miss would grow without bound.
	if l != nil {
		d.lists.Store(path, l)
	}
	return l
}

// lookupPath returns the value at a dotted path of data, or nil.
func lookupPath(data map[string]any, path string) any {
	v, _ := lookupKeys(data, strings.Split(path, "."))
	return v
}

// lookupKeys returns the value under keys in data; ok is false when there
// is none.
func lookupKeys(data map[string]any, keys []string) (v any, ok bool) {
	v = data
	for _, k := range keys {
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// newDomainList indexes the keys of an object or the strings of an array;
// nil for anything else.
func newDomainList(v any) domainList {
	l := domainList{}
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			l[normalDomain(k)] = struct{}{}
		}
	case []any:
		for _, it := range x {
			s, ok := it.(string)
			if !ok {
				return nil
			}
			l[normalDomain(s)] = struct{}{}
		}
	default:
		return nil
	}
	return l
}

// normalDomain is s as lib.bad_domain compared names: lower-cased,
// without the root's trailing dot.
func normalDomain(s string) string {
	return strings.ToLower(strings.TrimSuffix(s, "."))
}

// contains reports whether name or one of its parent domains is listed.
func (l domainList) contains(name string) bool {
	n := normalDomain(name)
	for n != "" {
		if _, ok := l[n]; ok {
			return true
		}
		i := strings.IndexByte(n, '.')
		if i < 0 {
			return false
		}
		n = n[i+1:]
	}
	return false
}

// match is the builtin's logic on its operands.
func (d *domainLists) match(name, list *ast.Term) (*ast.Term, error) {
	return stringOperands(name, list, func(name, path string) bool {
		l := d.list(path)
		return l != nil && l.contains(name)
	})
}
