package parse

import (
	"testing"
)

// BenchmarkParse measures records per second for each source on its
// testdata records; b.N counts records.
func BenchmarkParse(b *testing.B) {
	cases := []struct{ source, file string }{
		{SourceCloudTrail, "cloudtrail_assumedrole.json"},
		{SourceO365, "o365.jsonl"},
		{SourceSignIn, "signin.jsonl"},
		{SourceOkta, "okta.jsonl"},
		{SourceWindows, "windows_flat.jsonl"},
		{SourceSyslog, "auth.log"},
		{SourceZeek, "zeek.jsonl"},
		{SourceECS, "ecs.jsonl"},
		{SourceAuto, "windows_winlogbeat.jsonl"},
	}
	for _, tc := range cases {
		recs := readRecords(b, tc.file)
		var size int
		for _, r := range recs {
			size += len(r.Value)
		}
		r := NewRegistry()
		b.Run(tc.source, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size / len(recs)))
			i := 0
			for b.Loop() {
				if _, err := r.Parse(tc.source, recs[i%len(recs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
