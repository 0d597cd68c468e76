package detect

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/types"
)

// inNetworksName is the builtin that matches an address against a network
// list of the lookup data:
//
//	vigil.in_networks("203.0.113.9", "threat_intel.cidrs")
//
// is true when the address is in one of the networks of the list at
// data.vigil.threat_intel.cidrs. Matching a feed of thousands of networks
// with net.cidr_contains over each of them costs hundreds of microseconds
// per event; the builtin looks each prefix length up in an index built
// when the policy set is loaded, whatever the size of the list.
const inNetworksName = "vigil.in_networks"

var inNetworksDecl = &ast.Builtin{
	Name: inNetworksName,
	Description: "Reports whether an IP address is in one of the networks (CIDR strings) of the list at " +
		"data.vigil.<list>; false for an address that does not parse or a list that does not exist.",
	Decl: types.NewFunction(
		types.Args(types.Named("ip", types.S), types.Named("list", types.S)),
		types.Named("result", types.B),
	),
}

// networkLists are the network lists of a policy set's data by their
// dotted path under data.vigil: every array whose elements are all CIDR
// strings.
type networkLists map[string]*networkList

// networkList holds a list's networks by prefix length; a lookup masks the
// address to each length that occurs and probes a set.
type networkList struct {
	byBits  map[int]map[netip.Prefix]struct{}
	lengths []int // the keys of byBits, longest first
}

// findNetworkLists walks data for network lists.
func findNetworkLists(data map[string]any) networkLists {
	out := networkLists{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(p, c)
			}
		case []any:
			if l := newNetworkList(x); l != nil {
				out[path] = l
			}
		}
	}
	walk("", data)
	return out
}

// newNetworkList indexes items; nil unless every item is a CIDR string.
func newNetworkList(items []any) *networkList {
	if len(items) == 0 {
		return nil
	}
	l := &networkList{byBits: map[int]map[netip.Prefix]struct{}{}}
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil
		}
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil
		}
		p = canonical(p)
		set, ok := l.byBits[p.Bits()]
		if !ok {
			set = map[netip.Prefix]struct{}{}
			l.byBits[p.Bits()] = set
			l.lengths = append(l.lengths, p.Bits())
		}
		set[p] = struct{}{}
	}
	slices.SortFunc(l.lengths, func(a, b int) int { return b - a })
	return l
}

// canonical masks p, and writes an IPv4-mapped IPv6 network that covers
// only such addresses as the IPv4 network, since addresses are unmapped
// before the lookup.
func canonical(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked()
}

// contains reports whether addr is in one of the list's networks.
func (l *networkList) contains(addr netip.Addr) bool {
	addr = addr.Unmap().WithZone("")
	for _, bits := range l.lengths {
		if bits > addr.BitLen() {
			continue
		}
		p, err := addr.Prefix(bits)
		if err != nil {
			continue
		}
		if _, ok := l.byBits[bits][p]; ok {
			return true
		}
	}
	return false
}

// match is the builtin's logic on its operands.
func (n networkLists) match(ip, list *ast.Term) (*ast.Term, error) {
	return stringOperands(ip, list, n.matches)
}

// matches reports whether ip is in the network list named list.
func (n networkLists) matches(ip, list string) bool {
	l := n[list]
	if l == nil {
		return false
	}
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	return err == nil && l.contains(addr)
}
