package gen

import (
	"math/bits"
)

// rng is a SplitMix64 generator: tiny, fast, and its sequence is fixed by
// this file rather than by a standard-library version, which keeps streams
// stable across Go releases.
type rng struct{ s uint64 }

// newRNG starts the stream of seed. The seed goes through the mixing
// function first: SplitMix64 advances its state by a constant, so states
// that are multiples of that constant apart — seed n and seed n+1 if the
// seed were used as a multiple of it — give the same stream shifted by a
// step, and two demo runs would generate the same ids.
func newRNG(seed int64) rng { return rng{s: mix64(uint64(seed) ^ 0x6A09E667F3BCC909)} }

const golden = 0x9E3779B97F4A7C15

func (r *rng) u64() uint64 {
	r.s += golden
	return mix64(r.s)
}

// mix64 is SplitMix64's output function.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// intn returns a value in [0, n); n must be positive.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// rangeInt returns a value in [lo, hi].
func (r *rng) rangeInt(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a value in [0, 1).
func (r *rng) float() float64 { return float64(r.u64()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// fork derives an independent generator, used to build the fixed world of
// a tenant without disturbing the main stream.
func (r *rng) fork() rng { return rng{s: r.u64()} }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// weighted picks an index from cumulative weights (cum[len-1] is the total).
func weighted(r *rng, cum []int) int {
	x := r.intn(cum[len(cum)-1])
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

func cumulative(w ...int) []int {
	out := make([]int, len(w))
	s := 0
	for i, x := range w {
		s += x
		out[i] = s
	}
	return out
}

const (
	hexLower = "0123456789abcdef"
	hexUpper = "0123456789ABCDEF"
	alnum    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lowerAl  = "abcdefghijklmnopqrstuvwxyz0123456789"
	base32   = "abcdefghijklmnopqrstuvwxyz234567"
)

// appendUUID appends a random version-4 UUID.
func (r *rng) appendUUID(b []byte) []byte {
	hi, lo := r.u64(), r.u64()
	hi = hi&^(0xf<<12) | 0x4<<12
	lo = lo&^(0xc<<60) | 0x8<<60
	var u [16]byte
	for i := 0; i < 8; i++ {
		u[i] = byte(hi >> (56 - 8*i))
		u[8+i] = byte(lo >> (56 - 8*i))
	}
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexLower[x>>4], hexLower[x&0xf])
	}
	return b
}

func (r *rng) uuid() string { return string(r.appendUUID(make([]byte, 0, 36))) }

// appendChars appends n characters drawn from set.
func (r *rng) appendChars(b []byte, set string, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, set[r.intn(len(set))])
	}
	return b
}

func (r *rng) chars(set string, n int) string {
	return string(r.appendChars(make([]byte, 0, n), set, n))
}
