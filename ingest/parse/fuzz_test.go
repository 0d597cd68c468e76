package parse

import (
	"testing"
)

// fuzzSource seeds a fuzz target with the testdata records of a source and
// checks the invariants: no panic; on success every event has an id and a
// timestamp; on failure the error is a *Error with a known reason.
func fuzzSource(f *testing.F, source string, files ...string) {
	for _, file := range files {
		for _, rec := range readRecords(f, file) {
			f.Add(rec.Value)
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"Records":[{}]}`))
	r := NewRegistry()
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := r.Parse(source, Record{Value: b, Topic: "fuzz", Time: recTime})
		if err != nil {
			switch reasonOf(err) {
			case ReasonUnparseable, ReasonNoTimestamp, ReasonOversized, ReasonUnknownSource, ReasonInvalid:
			default:
				t.Fatalf("error without a known reason: %v", err)
			}
			return
		}
		for _, e := range evs {
			if e.Event.ID == "" || e.Timestamp.IsZero() {
				t.Fatalf("event without id or timestamp: %+v", e.Event)
			}
		}
	})
}

func FuzzCloudTrail(f *testing.F) {
	fuzzSource(f, SourceCloudTrail, "cloudtrail_records.json", "cloudtrail_assumedrole.json")
}
func FuzzO365(f *testing.F)   { fuzzSource(f, SourceO365, "o365.jsonl") }
func FuzzSignIn(f *testing.F) { fuzzSource(f, SourceSignIn, "signin.jsonl") }
func FuzzOkta(f *testing.F)   { fuzzSource(f, SourceOkta, "okta.jsonl") }
func FuzzWindows(f *testing.F) {
	fuzzSource(f, SourceWindows, "windows_winlogbeat.jsonl", "windows_flat.jsonl")
}
func FuzzSyslog(f *testing.F) { fuzzSource(f, SourceSyslog, "auth.log") }
func FuzzZeek(f *testing.F)   { fuzzSource(f, SourceZeek, "zeek.jsonl") }
func FuzzECS(f *testing.F)    { fuzzSource(f, SourceECS, "ecs.jsonl") }

// FuzzDetectSource checks that detection never panics and that auto
// parsing of a detected record fails only with a known reason.
func FuzzDetectSource(f *testing.F) {
	fuzzSource(f, SourceAuto, "cloudtrail_records.json", "o365.jsonl", "signin.jsonl", "okta.jsonl",
		"windows_winlogbeat.jsonl", "windows_flat.jsonl", "auth.log", "zeek.jsonl", "ecs.jsonl")
}
