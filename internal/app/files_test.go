package app

import (
	"path/filepath"
	"testing"
)

func TestReadFileRecords(t *testing.T) {
	tests := []struct {
		file      string
		wantVals  []string
		wantLines []int
	}{
		{"lines.jsonl", []string{`{"a":1}`, `{"a":2}`}, []int{1, 3}},
		{"pretty.json", []string{`{"Records":[{"eventName":"A"}]}`, `{"b":2}`, `{"c":3}`}, []int{1, 6, 6}},
		{"array.json", []string{`{"x":1}`, `{"x":2}`}, []int{1, 1}},
		{"auth.log", []string{
			"Mar  1 12:00:00 host sshd[1]: Failed password for root from 10.0.0.1 port 22 ssh2",
			"Mar  1 12:00:01 host sshd[1]: Accepted password for bob from 10.0.0.1 port 22 ssh2",
		}, []int{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			recs, err := readFileRecords(filepath.Join("testdata", "files", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(tc.wantVals) {
				t.Fatalf("got %d records, want %d: %+v", len(recs), len(tc.wantVals), recs)
			}
			for i, r := range recs {
				if string(r.Value) != tc.wantVals[i] || r.Line != tc.wantLines[i] {
					t.Errorf("record %d = %q line %d; want %q line %d", i, r.Value, r.Line, tc.wantVals[i], tc.wantLines[i])
				}
			}
		})
	}
}
