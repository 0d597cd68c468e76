package gen

import "testing"

func BenchmarkNext(b *testing.B) {
	g := New(Config{Seed: 1, Noise: true})
	b.ReportAllocs()
	var bytes int64
	for b.Loop() {
		r := g.Next()
		bytes += int64(len(r.Value))
	}
	b.SetBytes(bytes / int64(max(b.N, 1)))
}
