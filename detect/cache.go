package detect

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// dataCache keeps the policy data documents an evaluation read from the
// store, already as AST values, for the next evaluations of the same
// goroutine. OPA gives every evaluation an empty cache of its own; the data
// of a policy set never changes, so what one event read is valid for every
// later one, and each evaluation saves a store read and a cache build per
// data reference. A dataCache belongs to one policy set and one goroutine
// at a time.
type dataCache struct{ root dataNode }

type dataNode struct {
	value ast.Value
	kids  map[ast.Value]*dataNode
}

var _ topdown.BaseCache = (*dataCache)(nil)

// Get returns the value at ref, looked up inside the nearest cached
// document that contains it, or nil.
func (c *dataCache) Get(ref ast.Ref) ast.Value {
	n := &c.root
	for i := range ref {
		n = n.kids[ref[i].Value]
		if n == nil {
			return nil
		}
		if n.value != nil {
			if i == len(ref)-1 {
				return n.value
			}
			v, err := n.value.Find(ref[i+1:])
			if err != nil {
				return nil
			}
			return v
		}
	}
	return nil
}

// Put records the document at ref; documents below ref are subsumed.
func (c *dataCache) Put(ref ast.Ref, value ast.Value) {
	n := &c.root
	for i := range ref {
		k := ref[i].Value
		next := n.kids[k]
		if next == nil {
			next = &dataNode{}
			if n.kids == nil {
				n.kids = map[ast.Value]*dataNode{}
			}
			n.kids[k] = next
		}
		n = next
	}
	n.value = value
	n.kids = nil
}

// ruleCache is the cache of rule and function results within one
// evaluation (topdown.VirtualCache), reset between evaluations instead of
// allocated for each: OPA's own builds a hash map per frame and per
// evaluation, which costs more than the few lookups an evaluation of
// already-indexed rules makes.
type ruleCache struct {
	entries []ruleEntry
	frames  []int // start of each frame's entries
	// keys holds copies of the entries' references. The evaluator hands
	// Put a reference it goes on using: OPA's evaluation of a function
	// call builds its cache key in a pooled buffer that the next call,
	// on any goroutine, overwrites.
	keys []*ast.Term
}

type ruleEntry struct {
	ref       ast.Ref
	hash      int
	value     *ast.Term
	undefined bool
}

var _ topdown.VirtualCache = (*ruleCache)(nil)

func newRuleCache() *ruleCache {
	c := &ruleCache{}
	c.reset()
	return c
}

// reset empties the cache for the next evaluation.
func (c *ruleCache) reset() {
	clear(c.entries)
	c.entries = c.entries[:0]
	clear(c.keys)
	c.keys = c.keys[:0]
	c.frames = append(c.frames[:0], 0)
}

func (c *ruleCache) Push() { c.frames = append(c.frames, len(c.entries)) }

func (c *ruleCache) Pop() {
	if len(c.frames) <= 1 {
		return
	}
	start := c.frames[len(c.frames)-1]
	c.frames = c.frames[:len(c.frames)-1]
	clear(c.entries[start:])
	c.entries = c.entries[:start]
}

func (c *ruleCache) find(ref ast.Ref, h int) *ruleEntry {
	start := c.frames[len(c.frames)-1]
	for i := len(c.entries) - 1; i >= start; i-- {
		if e := &c.entries[i]; e.hash == h && e.ref.Equal(ref) {
			return e
		}
	}
	return nil
}

// Get returns the cached value of ref; (nil, true) when it was recorded as
// undefined, (nil, false) when it was not recorded.
func (c *ruleCache) Get(ref ast.Ref) (*ast.Term, bool) {
	e := c.find(ref, ref.Hash())
	if e == nil {
		return nil, false
	}
	if e.undefined {
		return nil, true
	}
	return e.value, false
}

// Put records value for ref; a nil value records it as undefined.
func (c *ruleCache) Put(ref ast.Ref, value *ast.Term) {
	h := ref.Hash()
	e := c.find(ref, h)
	if e == nil {
		// A full-slice expression: a later copy appended to keys never
		// writes into this one.
		start := len(c.keys)
		c.keys = append(c.keys, ref...)
		c.entries = append(c.entries, ruleEntry{ref: c.keys[start:len(c.keys):len(c.keys)], hash: h})
		e = &c.entries[len(c.entries)-1]
	}
	if value != nil {
		e.value, e.undefined = value, false
	} else {
		e.undefined = true
	}
}

// Keys returns the references with a value in the current frame.
func (c *ruleCache) Keys() []ast.Ref {
	var out []ast.Ref
	for _, e := range c.entries[c.frames[len(c.frames)-1]:] {
		if e.value != nil {
			out = append(out, e.ref)
		}
	}
	return out
}
