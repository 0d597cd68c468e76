package storage

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestIDChunks(t *testing.T) {
	long := strings.Repeat("x", idChunkBytes)
	many := make([]string, 0, 10000)
	for i := range cap(many) {
		many = append(many, fmt.Sprintf("al-%032x", i))
	}
	for _, tc := range []struct {
		name   string
		ids    []string
		chunks int
	}{
		{"none", nil, 0},
		{"one", []string{"a"}, 1},
		{"duplicates dropped", []string{"a", "b", "a", "b"}, 1},
		{"an id longer than a chunk goes alone", []string{"a", long, "b"}, 3},
		{"many", many, 3}, // 10000 × 39 bytes
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			n := 0
			for chunk := range idChunks(tc.ids) {
				n++
				size := 0
				for _, id := range chunk {
					size += len(id) + 4
				}
				if len(chunk) == 0 || (len(chunk) > 1 && size > idChunkBytes) {
					t.Errorf("chunk %d: %d ids, %d bytes; want 1 or more ids within %d bytes", n, len(chunk), size, idChunkBytes)
				}
				got = append(got, chunk...)
			}
			if n != tc.chunks {
				t.Errorf("%d chunks, want %d", n, tc.chunks)
			}
			var want []string
			for _, id := range tc.ids {
				if !slices.Contains(want, id) {
					want = append(want, id)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("chunks hold %d ids, want each of the %d distinct ids once, in order", len(got), len(want))
			}
		})
	}
}
