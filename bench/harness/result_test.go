package harness

import (
	"bytes"
	"strings"
	"testing"
)

func TestPrintCPUSplit(t *testing.T) {
	ceiling := &Throughput{Name: "ceiling", Counts: Counts{Produced: 200_000}, CPUSeconds: 2}
	ceiling.SetMachineCPU(4.2, map[string]float64{"kafka": 0.8, "clickhouse": 1.2})
	vigil := &Throughput{Name: "vigil-50", Counts: Counts{Produced: 200_000}, CPUSeconds: 20}
	vigil.SetMachineCPU(32, map[string]float64{"clickhouse": 9}) // kafka's pid file was missing
	noMachine := &Throughput{Name: "vigil-10", Counts: Counts{Produced: 200_000}, CPUSeconds: 15}
	r := &Result{Ceiling: ceiling, Vigil: []*Throughput{vigil, noMachine}}

	var out bytes.Buffer
	r.printCPUSplit(&out)
	got := out.String()
	for _, want := range []string{
		// machine 21, copy 10, kafka 4, clickhouse 6, rest 1 per million
		"ceiling     21.0           10.0    4.0         6.0   1.0",
		// kafka unknown: the rest holds it
		"vigil-50    160.0          100.0      -        45.0  15.0",
	} {
		if !strings.Contains(strings.Join(strings.Fields(got), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("missing row %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "vigil-10") {
		t.Errorf("a run without machine CPU is listed:\n%s", got)
	}

	out.Reset()
	(&Result{Vigil: []*Throughput{noMachine}}).printCPUSplit(&out)
	if out.Len() != 0 {
		t.Errorf("split printed without any machine CPU:\n%s", out.String())
	}
}

func TestSetProducingCPU(t *testing.T) {
	var l LatencyRun
	l.SetProducingCPU(0.5, map[string]float64{CPUVigil: 0.2, "kafka": 0.05, CPULoadGenerator: 0.1}, 2_500)
	want := map[string]float64{CPUMachine: 200, CPUVigil: 80, "kafka": 20, CPULoadGenerator: 40}
	if len(l.ProducingCPU) != len(want) {
		t.Fatalf("ProducingCPU = %v, want %v", l.ProducingCPU, want)
	}
	for k, v := range want {
		if l.ProducingCPU[k] != v {
			t.Errorf("%s: %v µs per record, want %v", k, l.ProducingCPU[k], v)
		}
	}
	var none LatencyRun
	none.SetProducingCPU(0, map[string]float64{CPUVigil: 0.2}, 2_500) // /proc/stat unreadable
	if none.ProducingCPU != nil {
		t.Errorf("recorded without the machine's CPU: %v", none.ProducingCPU)
	}
}

// A run whose rows all came in one INSERT has no time span: the table
// shows no rate for it, and says why, instead of 0 events/s.
func TestPrintTableUntimedRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rate     float64
		wantRate string
		footnote bool
	}{
		{"timed", 12345, "12345", false},
		{"one insert", 0, "-", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Result{Vigil: []*Throughput{{Name: "vigil-50", EventsPerSecond: tc.rate, Counts: Counts{Produced: 20000}}}}
			var b strings.Builder
			r.PrintTable(&b)
			out := b.String()
			var row string
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, "vigil-50") {
					row = l
				}
			}
			// run, detections, events, events/s, ...
			if f := strings.Fields(row); len(f) < 4 || f[3] != tc.wantRate {
				t.Errorf("row %q: want events/s %q", row, tc.wantRate)
			}
			if got := strings.Contains(out, "too few events to time"); got != tc.footnote {
				t.Errorf("footnote printed: %v, want %v\n%s", got, tc.footnote, out)
			}
		})
	}
}

// A variant run and the run without detections are named in notes under
// the table, as not target runs.
func TestPrintTableNamesVariants(t *testing.T) {
	r := &Result{Vigil: []*Throughput{
		{Name: "vigil-0", Policies: &PolicySet{}, EventsPerSecond: 16000, Counts: Counts{Produced: 20000}},
		{Name: "vigil-50", Policies: &PolicySet{Detections: 50}, EventsPerSecond: 10000, Counts: Counts{Produced: 20000}},
		{Name: "vigil-50-doc", Variant: "storage.vendor_fields=doc", EventsPerSecond: 13000, Counts: Counts{Produced: 20000}},
	}}
	var b strings.Builder
	r.PrintTable(&b)
	out := b.String()
	if !strings.Contains(out, "vigil-50-doc: the base configuration with storage.vendor_fields=doc (not a target run)") {
		t.Errorf("no note on the variant run:\n%s", out)
	}
	if !strings.Contains(out, "vigil-0: no detections, so ingest, parsing and storing the evidence only (not a target run)") {
		t.Errorf("no note on the run without detections:\n%s", out)
	}
	if strings.Contains(out, "vigil-50: the base") || strings.Contains(out, "vigil-50: no detections") {
		t.Errorf("the base run is noted as a variant:\n%s", out)
	}
}
