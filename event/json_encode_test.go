package event_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest/parse"
)

// refMarshal is the encoding/json implementation Event.MarshalJSON had
// before the hand-written encoder (and still falls back to).
var refMarshal = event.MarshalReflect

// checkSame fails unless MarshalJSON and refMarshal agree on ev: the same
// bytes, or both an error (with the same text when there is at most one
// vendor namespace, so that map order cannot pick a different one).
func checkSame(t testing.TB, name string, ev event.Event) {
	t.Helper()
	want, wantErr := refMarshal(ev)
	got, gotErr := ev.MarshalJSON()
	if (wantErr != nil) != (gotErr != nil) {
		t.Fatalf("%s: error %v, reference error %v", name, gotErr, wantErr)
	}
	if wantErr != nil {
		if len(ev.Vendor) <= 1 && gotErr.Error() != wantErr.Error() {
			t.Fatalf("%s: error %q, reference error %q", name, gotErr, wantErr)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: encodings differ\n got %s\nwant %s", name, got, want)
	}
	// json.Marshal goes through MarshalJSON and compacts; it must not
	// change anything either.
	viaJSON, err := json.Marshal(ev)
	if err != nil || !bytes.Equal(viaJSON, want) {
		t.Fatalf("%s: json.Marshal differs (%v)\n got %s\nwant %s", name, err, viaJSON, want)
	}
}

// generatedEvents parses n records of the benchmark generator.
func generatedEvents(tb testing.TB, n int) []event.Event {
	tb.Helper()
	reg := parse.NewRegistry()
	var evs []event.Event
	for _, rec := range gen.New(gen.Config{Seed: 1, Noise: true}).Generate(n) {
		out, err := reg.Parse(rec.Source, parse.Record{Value: rec.Value})
		if err != nil {
			continue // noise includes records the parsers reject
		}
		evs = append(evs, out...)
	}
	if len(evs) == 0 {
		tb.Fatal("the generator produced no parsable records")
	}
	return evs
}

func TestMarshalJSONGenerated(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 5000
	}
	evs := generatedEvents(t, n)
	for i, ev := range evs {
		checkSame(t, fmt.Sprintf("generated event %d", i), ev)
	}
	t.Logf("%d events from %d generated records", len(evs), n)
}

// testdataEvents parses every sample under ingest/parse/testdata and
// decodes its golden file.
func testdataEvents(t *testing.T) map[string][]event.Event {
	dir := filepath.Join("..", "ingest", "parse", "testdata")
	cases := []struct{ file, source string }{
		{"cloudtrail_records.json", parse.SourceCloudTrail},
		{"cloudtrail_assumedrole.json", parse.SourceCloudTrail},
		{"o365.jsonl", parse.SourceO365},
		{"signin.jsonl", parse.SourceSignIn},
		{"okta.jsonl", parse.SourceOkta},
		{"windows_winlogbeat.jsonl", parse.SourceWindows},
		{"windows_flat.jsonl", parse.SourceWindows},
		{"auth.log", parse.SourceSyslog},
		{"zeek.jsonl", parse.SourceZeek},
		{"ecs.jsonl", parse.SourceECS},
	}
	reg := parse.NewRegistry()
	out := make(map[string][]event.Event)
	recTime := time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)
	for _, tc := range cases {
		b, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		var recs []parse.Record
		if strings.HasSuffix(tc.file, ".json") {
			recs = []parse.Record{{Value: b, Topic: "raw", Time: recTime, File: tc.file, Line: 1}}
		} else {
			sc := bufio.NewScanner(bytes.NewReader(b))
			sc.Buffer(nil, 4<<20)
			for n := 1; sc.Scan(); n++ {
				if len(bytes.TrimSpace(sc.Bytes())) > 0 {
					recs = append(recs, parse.Record{Value: bytes.Clone(sc.Bytes()), Topic: "raw", Time: recTime, File: tc.file, Line: n})
				}
			}
		}
		for _, rec := range recs {
			evs, err := reg.Parse(tc.source, rec)
			if err != nil {
				continue // some samples are deliberately malformed
			}
			out[tc.file] = append(out[tc.file], evs...)
		}
	}
	goldens, _ := filepath.Glob(filepath.Join(dir, "golden", "*.json"))
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var evs []event.Event
		if err := json.Unmarshal(b, &evs); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		out[filepath.Base(g)] = evs
	}
	return out
}

func TestMarshalJSONTestdata(t *testing.T) {
	total := 0
	for file, evs := range testdataEvents(t) {
		for i, ev := range evs {
			checkSame(t, fmt.Sprintf("%s event %d", file, i), ev)
		}
		total += len(evs)
	}
	if total == 0 {
		t.Fatal("no testdata events")
	}
	t.Logf("%d testdata events", total)
}

func TestMarshalJSONEdgeCases(t *testing.T) {
	ts := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	full := event.Event{
		Timestamp: ts,
		Event: event.Meta{ID: "x", Kind: "event", Category: []string{"a", "b"}, Type: []string{"start"}, Action: "act",
			Outcome: "success", Dataset: "d", Module: "m", Provider: "p", Code: "4624", Severity: -3, Original: `{"a":"<b>"}`,
			Created: ts.Add(time.Second), Ingested: ts.In(time.FixedZone("x", -(5*3600 + 30*60)))},
		Organization: event.Organization{ID: "acme", Name: "Acme & Co"},
		User:         event.User{Name: "n", Domain: "d", ID: "i", Email: "e", Roles: []string{"r"}, Target: &event.TargetUser{}},
		Source:       event.Endpoint{IP: "1.2.3.4", Port: 443, Domain: "d", Address: "a", Bytes: 1 << 40, Packets: -1, Geo: event.Geo{CountryISOCode: "NL", CountryName: "N", RegionName: "R", CityName: "C", Location: &event.GeoPoint{Lat: 52.370216, Lon: 4.895168}}},
		Destination:  event.Endpoint{Geo: event.Geo{Location: &event.GeoPoint{}}},
		Host:         event.Host{Name: "h", Hostname: "hn", ID: "id", IP: []string{"::1"}, OS: event.OS{Family: "windows", Name: "W"}},
		Process:      event.Process{PID: 4, Name: "n", Executable: "e", CommandLine: "c", Args: []string{"a"}, EntityID: "x", Parent: &event.Parent{PID: 1, Name: "p", Executable: "e", CommandLine: "c"}},
		File:         event.File{Path: "p", Name: "n", Directory: "d", Extension: "e", Size: 9},
		Cloud:        event.Cloud{Provider: "aws", Region: "r", Account: event.CloudAccount{ID: "1", Name: "n"}, Service: event.CloudService{Name: "s"}},
		Network:      event.Network{Transport: "tcp", Protocol: "p", Direction: "in", Bytes: 5, CommunityID: "c"},
		DNS:          event.DNS{Question: event.DNSQuestion{Name: "n", Type: "A", RegisteredDomain: "r"}, ResponseCode: "NOERROR", Answers: []string{"1.1.1.1"}},
		URL:          event.URL{Full: "https://x/?a=1&b=2", Domain: "x", Path: "/"},
		HTTP:         event.HTTP{Method: "GET", StatusCode: 200},
		TLS:          event.TLS{Version: "1.3", ServerName: "s", JA3: "j"},
		Email:        event.Email{To: []string{"a@b"}, From: "f", Subject: "s"},
		UserAgent:    event.UserAgent{Original: "ua"},
		Related:      event.Related{User: []string{"u"}, IP: []string{"i"}, Hosts: []string{"h"}},
		Message:      "m",
		Tags:         []string{"t"},
		Vendor: map[string]any{
			"aws": map[string]any{"b": 1.0, "a": []any{nil, true, false, "s", 1e21, 1e-7, -0.0, 5e-324, math.MaxFloat64, 123456789.125, []any{}, map[string]any{}},
				"nilmap": map[string]any(nil), "nilslice": []any(nil), "num": json.Number("12.50"), "int": 7, "strs": []string{"<"}},
			"zeta": "top-level string",
			"nil":  nil,
		},
	}
	empty := []string{}
	cases := map[string]event.Event{
		"zero": {},
		"full": full,
		"empty slices make field sets non-zero": {Event: event.Meta{Category: empty}, User: event.User{Roles: empty}, Host: event.Host{IP: empty}, Process: event.Process{Args: empty},
			DNS: event.DNS{Answers: empty}, Email: event.Email{To: empty}, Related: event.Related{Hosts: empty}, Tags: empty},
		"only nested":       {Host: event.Host{OS: event.OS{Name: "x"}}, Cloud: event.Cloud{Service: event.CloudService{Name: "s"}}, DNS: event.DNS{Question: event.DNSQuestion{Type: "A"}}, Process: event.Process{Parent: &event.Parent{}}},
		"local time":        {Timestamp: time.Date(1999, 12, 31, 23, 59, 59, 1000, time.FixedZone("", 14*3600))},
		"year 0":            {Timestamp: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		"year 10000":        {Timestamp: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"negative year":     {Event: event.Meta{Created: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
		"zone hour 24":      {Event: event.Meta{Ingested: time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))}},
		"zone seconds":      {Timestamp: time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600+30))},
		"NaN location":      {Source: event.Endpoint{Geo: event.Geo{Location: &event.GeoPoint{Lat: math.NaN()}}}},
		"Inf location":      {Destination: event.Endpoint{Geo: event.Geo{Location: &event.GeoPoint{Lon: math.Inf(-1)}}}},
		"tiny location":     {Source: event.Endpoint{Geo: event.Geo{Location: &event.GeoPoint{Lat: 1e-7, Lon: -1e-300}}}},
		"vendor NaN":        {Vendor: map[string]any{"x": map[string]any{"y": []any{math.NaN()}}}},
		"vendor bad number": {Vendor: map[string]any{"x": []any{json.Number("1x")}}},
		"vendor chan":       {Vendor: map[string]any{"x": map[string]any{"c": make(chan int)}}},
		"vendor collision":  {Vendor: map[string]any{"user": "x"}},
		"vendor odd keys":   {Vendor: map[string]any{"<ns>": map[string]any{"\u2028": "\xff", "&": "\x00\x1f\x7f", "é": "\"\\/"}}},
		"vendor raw":        {Vendor: map[string]any{"aws": map[string]any{"cloudtrail": event.RawJSON(" {\"b\" : [1, 2.50 ,\n{\"x y\": \"a b\\\" <&> \\\\\"}],\t\"a\":null, \"e\":\"\u2028\u2029\\u003c\"} \r\n")}}},
		"vendor strings":    {Vendor: map[string]any{"winlog": map[string]any{"event_data": map[string]string{"b": "<&>\u2028", "a": "", "\xff": "x\"y"}, "none": map[string]string(nil)}}},
		"vendor raw scalar": {Vendor: map[string]any{"zeek": event.RawJSON(`"s"`), "n": event.RawJSON(" 12 ")}},
	}
	deep := map[string]any{}
	cur := deep
	for range 600 {
		next := map[string]any{}
		cur["k"] = []any{next}
		cur = next
	}
	cases["vendor deep"] = event.Event{Vendor: map[string]any{"deep": deep}}
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	cases["vendor cycle"] = event.Event{Vendor: map[string]any{"c": cyclic}}
	for name, ev := range cases {
		t.Run(name, func(t *testing.T) { checkSame(t, name, ev) })
	}
}

func FuzzMarshalJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "<script>&amp;</script>", "\u2028\u2029", "\xff\xfe", "a\x00b\x1f\x7f", "\b\f\n\r\t\"\\", "日本語", "\xe2\x80", "\ufffd"} {
		f.Add(s, s+"x", 1.5)
	}
	f.Add("", "", math.SmallestNonzeroFloat64)
	f.Add("k", "v", 1e21)
	f.Fuzz(func(t *testing.T, s, s2 string, x float64) {
		ev := event.Event{
			Timestamp:    time.Unix(0, int64(len(s))*1e9+int64(x)).UTC(),
			Event:        event.Meta{ID: s, Action: s2, Category: []string{s, s2}, Original: s + s2},
			Organization: event.Organization{ID: s2},
			User:         event.User{Name: s, Target: &event.TargetUser{Email: s2}},
			Source:       event.Endpoint{IP: s, Geo: event.Geo{CityName: s2, Location: &event.GeoPoint{Lat: x, Lon: -x}}},
			Process:      event.Process{CommandLine: s, Args: []string{s2}},
			URL:          event.URL{Full: s2},
			Message:      s,
			Tags:         []string{s2, s},
			Vendor: map[string]any{
				"ns" + s: map[string]any{s: s2, s2: []any{s, x, nil, true, map[string]any{s2 + s: x}}},
				"n2":     s,
			},
		}
		checkSame(t, "fuzz", ev)
	})
}

// FuzzMarshalRawJSON checks that a RawJSON vendor value is written as
// encoding/json writes it, for any valid JSON text; invalid text is
// refused by the reference and never produced by a parser.
func FuzzMarshalRawJSON(f *testing.F) {
	if _, err := event.RawJSON(`{"a":`).MarshalJSON(); err == nil {
		f.Fatal("RawJSON.MarshalJSON accepted invalid JSON")
	}
	for _, s := range []string{`{}`, ` [ 1 , "a b" ] `, `{"<":"&\u2028\"\\ ", "\u00e9":[true,false,null,-1.5e3]}`, "\"\u2028\u2029\xe2\x80\"", `"\\"`, "\t\n\"x\"\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		checkSame(t, "fuzz raw", event.Event{Vendor: map[string]any{"v": map[string]any{"raw": event.RawJSON(s)}}})
	})
}

func BenchmarkMarshalJSON(b *testing.B) {
	evs := generatedEvents(b, 20000)
	var size int64
	for _, ev := range evs {
		doc, err := refMarshal(ev)
		if err != nil {
			b.Fatal(err)
		}
		size += int64(len(doc))
	}
	avg := size / int64(len(evs))
	run := func(b *testing.B, marshal func(event.Event) ([]byte, error)) {
		b.ReportAllocs()
		b.SetBytes(avg)
		i := 0
		for b.Loop() {
			if _, err := marshal(evs[i]); err != nil {
				b.Fatal(err)
			}
			if i++; i == len(evs) {
				i = 0
			}
		}
	}
	b.Run("reflect", func(b *testing.B) { run(b, refMarshal) })
	b.Run("encoder", func(b *testing.B) { run(b, event.Event.MarshalJSON) })
}

// TestMarshalJSONEscapingPositions places every byte value, and the
// multi-byte sequences encoding/json treats specially, at every offset of
// strings around the encoder's eight-byte stride.
func TestMarshalJSONEscapingPositions(t *testing.T) {
	var specials []string
	for c := range 256 {
		specials = append(specials, string([]byte{byte(c)}))
	}
	specials = append(specials, "\u2028", "\u2029", "\u2027", "é", "日", "\U0001F600", "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80")
	for _, sp := range specials {
		for n := 0; n <= 17; n++ {
			for pos := 0; pos <= n; pos++ {
				s := strings.Repeat("a", pos) + sp + strings.Repeat("b", n-pos)
				checkSame(t, fmt.Sprintf("%q", s), event.Event{Message: s, Vendor: map[string]any{"v": map[string]any{s: s}}})
			}
		}
	}
}

// AppendJSON writes after what the buffer holds exactly what MarshalJSON
// returns, and on error gives the buffer back as it was.
func TestAppendJSONMatchesMarshalJSON(t *testing.T) {
	var buf []byte
	for name, evs := range testdataEvents(t) {
		for i, ev := range evs {
			want, err := ev.MarshalJSON()
			if err != nil {
				t.Fatalf("%s %d: %v", name, i, err)
			}
			start := len(buf)
			if buf, err = ev.AppendJSON(buf); err != nil {
				t.Fatalf("%s %d: AppendJSON: %v", name, i, err)
			}
			if got := buf[start:]; !bytes.Equal(got, want) {
				t.Fatalf("%s %d: AppendJSON wrote\n%s\nwant\n%s", name, i, got, want)
			}
		}
	}
	held := string(buf)
	bad := event.Event{Vendor: map[string]any{"user": "x"}}
	got, err := bad.AppendJSON(buf)
	if err == nil || string(got) != held {
		t.Errorf("AppendJSON of a colliding vendor namespace = %d bytes, %v; want the buffer back as given and an error", len(got), err)
	}
}
