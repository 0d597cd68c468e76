package harness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Host describes the machine a result came from.
type Host struct {
	Hostname  string `json:"hostname"`
	NProc     int    `json:"nproc"`
	CPUModel  string `json:"cpu_model"`
	MemBytes  int64  `json:"mem_bytes"`
	Kernel    string `json:"kernel"`
	GoVersion string `json:"go_version"`
}

// ReadHost reads the host description from /proc.
func ReadHost() Host {
	h := Host{NProc: runtime.NumCPU(), GoVersion: runtime.Version()}
	h.Hostname, _ = os.Hostname()
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				h.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				h.MemBytes = kb << 10
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		h.Kernel = strings.TrimSpace(string(b))
	}
	return h
}

// LagPoint is the consumer lag at a time since the consumer started.
type LagPoint struct {
	T      float64 `json:"t"` // seconds
	Lag    int64   `json:"lag"`
	Stored uint64  `json:"stored"` // rows in the events (or raw) table
}

// Counts reconciles records produced with records stored.
type Counts struct {
	Produced      int64  `json:"produced"`
	StoredRecords uint64 `json:"stored_records"` // distinct (topic, partition, offset) in events
	StoredEvents  uint64 `json:"stored_events"`  // uniqExact(event_id)
	Rows          uint64 `json:"rows"`           // rows before deduplication
	DLQ           int64  `json:"dlq"`
	Lost          int64  `json:"lost"` // produced − stored records − DLQ
}

// Throughput is one measured consumption of the pre-produced event set.
type Throughput struct {
	Name string `json:"name"`
	// Variant is the setting a variant run changes in the base
	// configuration ("storage.vendor_fields=doc"); empty for the runs
	// the targets are measured on.
	Variant           string     `json:"variant,omitempty"`
	Policies          *PolicySet `json:"policies,omitempty"`
	Counts            Counts     `json:"counts"`
	Seconds           float64    `json:"seconds"`        // first to last stored row
	EventsPerSecond   float64    `json:"events_per_sec"` // records ÷ seconds
	RatioToCeiling    float64    `json:"ratio_to_ceiling,omitempty"`
	StartupSeconds    float64    `json:"startup_seconds,omitempty"` // process start → /readyz
	DrainSeconds      float64    `json:"drain_seconds"`             // consumer start → lag 0 and all rows stored
	CPUSeconds        float64    `json:"cpu_seconds"`
	CPUSecondsPerMEvt float64    `json:"cpu_seconds_per_million"`
	// MachineCPUSeconds is the CPU time of the whole machine over the same
	// span (Kafka, ClickHouse, the harness and the kernel included): with
	// the stack on this machine, what the events cost in all.
	MachineCPUSeconds        float64 `json:"machine_cpu_seconds,omitempty"`
	MachineCPUSecondsPerMEvt float64 `json:"machine_cpu_seconds_per_million,omitempty"`
	// StackCPUSeconds is the CPU time of the local stack's servers over
	// the same span, by name (kafka, clickhouse).
	StackCPUSeconds map[string]float64 `json:"stack_cpu_seconds,omitempty"`
	// MergeTailCPUSeconds is ClickHouse's CPU time after the drain, until
	// the run's tables stopped merging: work the rows stored cost but that
	// the server defers, outside the spans above. A run that lasts (a live
	// stream) pays it while it ingests.
	MergeTailCPUSeconds float64    `json:"clickhouse_merge_tail_cpu_seconds,omitempty"`
	MergeTailSeconds    float64    `json:"clickhouse_merge_tail_seconds,omitempty"`
	PeakRSSBytes        int64      `json:"peak_rss_bytes"`
	MaxLag              int64      `json:"max_lag"`
	Lag                 []LagPoint `json:"lag"`
	Alerts              uint64     `json:"alerts,omitempty"`
	Incidents           uint64     `json:"incidents,omitempty"`
	// IncidentsRepeatingAlerts are incidents that list an alert more than
	// once: an alert joined twice, its count added twice.
	IncidentsRepeatingAlerts int `json:"incidents_repeating_alerts,omitempty"`
	// AlertsRestarted are suppressed alerts emitted under one id with more
	// than one first-seen time: their window was closed and opened again,
	// restarting the count. The generator writes each partition in
	// event-time order, so in a benchmark no window should close early.
	AlertsRestarted int        `json:"alerts_restarted,omitempty"`
	Scenarios       *Scenarios `json:"scenarios,omitempty"`
	AlertsMissing   int        `json:"alerts_missing_vs_reference"`
	Status          string     `json:"status"` // PASS or FAIL
	Problems        []string   `json:"problems,omitempty"`
}

// Scenarios is the check of the generator's expectations.
type Scenarios struct {
	Expected       int      `json:"expected"`
	AlertsFound    int      `json:"alerts_found"`
	IncidentsFound int      `json:"incidents_found"`
	Missing        []string `json:"missing,omitempty"`
	Enforced       bool     `json:"enforced"` // false for subsets of the library
}

// LatencyRun is the rate-limited run.
type LatencyRun struct {
	Detections    int     `json:"detections"`
	RatePerSecond float64 `json:"rate_per_sec"`
	// FractionOfMax is the rate as a fraction of the throughput run's
	// events/s, for the runs of a sweep (0 for the 50 % run).
	FractionOfMax  float64 `json:"fraction_of_max,omitempty"`
	Records        int64   `json:"records"`
	Seconds        float64 `json:"seconds"`
	ProduceToAlert Latency `json:"produce_to_alert"`
	// AlertStages splits produce → alert row into where the time went, over
	// the same samples: produce → the batch handed to vigil's handler
	// (events.ingested: Kafka, fetching, cutting the batch, waiting for a
	// free slot of the partition), handler → detected (parsing, detection),
	// detected → alert row stored (the alerts table's batch and INSERT).
	AlertStages    *AlertStages `json:"alert_stages,omitempty"`
	ProduceToEscal Latency      `json:"produce_to_escalation"`
	// EscalationStages splits produce → webhook at the moment the
	// escalation was decided (the decided version's updated_at): before it
	// Kafka, detection, the alert's INSERT, the correlate topic and
	// correlation; after it the outbox write, the dispatcher and the send.
	EscalationStages *EscalationStages `json:"escalation_stages,omitempty"`
	Escalations      int               `json:"escalations"`
	Counts           Counts            `json:"counts"`
	Lag              []LagPoint        `json:"lag"`
	// MaxLagProducing and LagProduced are the ingest group's lag, in
	// records, at its highest while the records were produced and when the
	// last was: a lag that grows through the run means the rate is above
	// what vigil sustains, one that jumps and recovers means a stall.
	MaxLagProducing int64 `json:"max_lag_producing"`
	LagProduced     int64 `json:"lag_produced"`
	// ProducingCPU is the CPU time per produced record, in microseconds,
	// of the machine and of each process (vigil, kafka, clickhouse, the
	// load generator) while the records were produced: what a live stream
	// costs, against the throughput runs' cost of draining a backlog.
	ProducingCPU map[string]float64 `json:"producing_cpu_us_per_record,omitempty"`
	Status       string             `json:"status"`
	Problems     []string           `json:"problems,omitempty"`
}

// AlertStages are the parts of produce → alert row.
type AlertStages struct {
	ProduceToHandler  Latency `json:"produce_to_handler"`
	HandlerToDetected Latency `json:"handler_to_detected"`
	DetectedToStored  Latency `json:"detected_to_stored"`
}

// EscalationStages are the parts of produce → webhook.
type EscalationStages struct {
	ProduceToDecided   Latency `json:"produce_to_decided"`
	DecidedToDelivered Latency `json:"decided_to_delivered"`
}

// Target is one goal and whether this run met it.
type Target struct {
	Name string `json:"name"`
	Want string `json:"want"`
	Got  string `json:"got"`
	Met  bool   `json:"met"`
}

// Result is everything one vigil-bench run measured.
type Result struct {
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished"`
	Host     Host           `json:"host"`
	Settings map[string]any `json:"settings"`
	Produce  *ProduceStats  `json:"produce,omitempty"` // the pre-produce of the last throughput run
	Ceiling  *Throughput    `json:"ceiling,omitempty"`
	Vigil    []*Throughput  `json:"vigil"`
	Latency  *LatencyRun    `json:"latency,omitempty"`
	// LatencySweep are the latency runs at other fractions of the maximum
	// rate (vigil-bench --latency-sweep).
	LatencySweep []*LatencyRun `json:"latency_sweep,omitempty"`
	Targets      []Target      `json:"targets"`
	Profiles     []string      `json:"profiles,omitempty"`
	Status       string        `json:"status"`
	Problems     []string      `json:"problems,omitempty"`
}

// WriteFiles writes the result as <dir>/<date>-<host>.json and
// <dir>/latest.json and returns the first path.
func (r *Result) WriteFiles(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode result: %w", err)
	}
	b = append(b, '\n')
	host := strings.NewReplacer("/", "_", " ", "_").Replace(r.Host.Hostname)
	name := filepath.Join(dir, r.Started.UTC().Format("2006-01-02T150405Z")+"-"+host+".json")
	for _, p := range []string{name, filepath.Join(dir, "latest.json")} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return "", fmt.Errorf("write result: %w", err)
		}
	}
	return name, nil
}

// PrintTable writes the human-readable summary.
func (r *Result) PrintTable(w io.Writer) {
	fmt.Fprintf(w, "host %s: %d × %s, %.1f GiB RAM, %s\n\n", r.Host.Hostname, r.Host.NProc, r.Host.CPUModel,
		float64(r.Host.MemBytes)/(1<<30), r.Host.Kernel)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tdetections\tevents\tevents/s\tvs ceiling\tCPU s/M ev\tmachine CPU s/M ev\tpeak RSS MiB\tmax lag\tstored\tDLQ\tlost\talerts\tincidents\tstatus\t")
	untimed := false
	row := func(t *Throughput) {
		det := "-"
		if t.Policies != nil {
			det = strconv.Itoa(t.Policies.Detections)
		}
		ratio := "-"
		if t.RatioToCeiling > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*t.RatioToCeiling)
		}
		rss := "-"
		if t.PeakRSSBytes > 0 {
			rss = fmt.Sprintf("%.0f", float64(t.PeakRSSBytes)/(1<<20))
		}
		machine := "-"
		if t.MachineCPUSecondsPerMEvt > 0 {
			machine = fmt.Sprintf("%.1f", t.MachineCPUSecondsPerMEvt)
		}
		// The rate is timed by the rows' stored_at: rows stored by one
		// INSERT give no time span, and no rate.
		rate := "-"
		if t.EventsPerSecond > 0 {
			rate = fmt.Sprintf("%.0f", t.EventsPerSecond)
		} else {
			untimed = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%.1f\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n",
			t.Name, det, t.Counts.Produced, rate, ratio, t.CPUSecondsPerMEvt, machine, rss, t.MaxLag,
			t.Counts.StoredRecords, t.Counts.DLQ, t.Counts.Lost, t.Alerts, t.Incidents, t.Status)
	}
	if r.Ceiling != nil {
		row(r.Ceiling)
	}
	for _, t := range r.Vigil {
		row(t)
	}
	tw.Flush()
	if untimed {
		fmt.Fprintln(w, "events/s -: every row was stored by one INSERT, too few events to time; run with more --events")
	}
	for _, t := range r.Vigil {
		if t.Variant != "" {
			fmt.Fprintf(w, "%s: the base configuration with %s (not a target run)\n", t.Name, t.Variant)
		}
		if t.Policies != nil && t.Policies.Detections == 0 {
			fmt.Fprintf(w, "%s: no detections, so ingest, parsing and storing the evidence only (not a target run)\n", t.Name)
		}
	}
	r.printCPUSplit(w)
	for _, l := range append([]*LatencyRun{r.Latency}, r.LatencySweep...) {
		if l == nil {
			continue
		}
		fmt.Fprintf(w, "\nlatency at %.0f events/s (%d detections, %d records, %s):\n", l.RatePerSecond, l.Detections, l.Records, l.Status)
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "path\tsamples\tp50 ms\tp99 ms\tmax ms\t")
		fmt.Fprintf(tw, "produce → alert row\t%d\t%.0f\t%.0f\t%.0f\t\n", l.ProduceToAlert.Samples, l.ProduceToAlert.P50Ms, l.ProduceToAlert.P99Ms, l.ProduceToAlert.MaxMs)
		if st := l.AlertStages; st != nil {
			for _, s := range []struct {
				name string
				l    Latency
			}{{"  produce → handler", st.ProduceToHandler}, {"  handler → detected", st.HandlerToDetected}, {"  detected → alert row", st.DetectedToStored}} {
				fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t\n", s.name, s.l.Samples, s.l.P50Ms, s.l.P99Ms, s.l.MaxMs)
			}
		}
		fmt.Fprintf(tw, "produce → webhook\t%d\t%.0f\t%.0f\t%.0f\t\n", l.ProduceToEscal.Samples, l.ProduceToEscal.P50Ms, l.ProduceToEscal.P99Ms, l.ProduceToEscal.MaxMs)
		if st := l.EscalationStages; st != nil {
			for _, s := range []struct {
				name string
				l    Latency
			}{{"  produce → decided", st.ProduceToDecided}, {"  decided → webhook", st.DecidedToDelivered}} {
				fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t\n", s.name, s.l.Samples, s.l.P50Ms, s.l.P99Ms, s.l.MaxMs)
			}
		}
		tw.Flush()
		fmt.Fprintf(w, "ingest lag while producing: max %d records, %d when the last was produced (%.1f s of records at this rate)\n",
			l.MaxLagProducing, l.LagProduced, float64(l.LagProduced)/max(l.RatePerSecond, 1))
		if c := l.ProducingCPU; len(c) > 0 {
			fmt.Fprintf(w, "CPU while producing, µs per record: machine %.0f = vigil %.0f + kafka %.0f + clickhouse %.0f + load generator %.0f + rest\n",
				c[CPUMachine], c[CPUVigil], c["kafka"], c["clickhouse"], c[CPULoadGenerator])
		}
	}
	fmt.Fprintln(w, "\ntargets:")
	for _, t := range r.Targets {
		mark := "met"
		if !t.Met {
			mark = "NOT MET"
		}
		fmt.Fprintf(w, "  %-44s want %-12s got %-14s %s\n", t.Name, t.Want, t.Got, mark)
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "problem:", p)
	}
	fmt.Fprintln(w, "\noverall:", r.Status)
}

// Names of ProducingCPU's entries besides the stack's servers.
const (
	CPUMachine       = "machine"
	CPUVigil         = "vigil"
	CPULoadGenerator = "load generator"
)

// SetProducingCPU records a CPUMeter's readings over records produced
// records as microseconds per record.
func (l *LatencyRun) SetProducingCPU(machine float64, procs map[string]float64, records int64) {
	if records <= 0 || machine <= 0 {
		return
	}
	per := func(s float64) float64 { return round2(s * 1e6 / float64(records)) }
	l.ProducingCPU = map[string]float64{CPUMachine: per(machine)}
	for k, v := range procs {
		l.ProducingCPU[k] = per(v)
	}
}

// SetMachineCPU records the machine's and the stack servers' CPU seconds
// over the run (from a CPUMeter).
func (t *Throughput) SetMachineCPU(machine float64, stack map[string]float64) {
	t.MachineCPUSeconds = round2(machine)
	if len(stack) > 0 {
		t.StackCPUSeconds = map[string]float64{}
		for k, v := range stack {
			t.StackCPUSeconds[k] = round2(v)
		}
	}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// printCPUSplit prints where each run's CPU went, per million events: the
// process under test (vigil, or the harness for the copy), Kafka,
// ClickHouse, and the rest of the machine. With everything on one machine
// that runs flat out, events/s is about the cores over the machine's CPU
// per event, so this says what the ratio to the ceiling is made of.
func (r *Result) printCPUSplit(w io.Writer) {
	runs := r.Vigil
	if r.Ceiling != nil {
		runs = append([]*Throughput{r.Ceiling}, runs...)
	}
	measured := false
	for _, t := range runs {
		measured = measured || t.MachineCPUSeconds > 0
	}
	if !measured {
		return
	}
	fmt.Fprintf(w, "\nCPU seconds per million events, by process (the copy runs in the harness; ClickHouse's merges after the drain apart):\n")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tmachine\tvigil or copy\tkafka\tclickhouse\trest\tclickhouse merging after\t")
	for _, t := range runs {
		if t.MachineCPUSeconds <= 0 || t.Counts.Produced <= 0 {
			continue
		}
		perM := func(s float64) float64 { return s / float64(t.Counts.Produced) * 1e6 }
		cell := func(name string) (string, float64) {
			s, ok := t.StackCPUSeconds[name]
			if !ok {
				return "-", 0
			}
			return fmt.Sprintf("%.1f", perM(s)), s
		}
		kafka, ks := cell("kafka")
		ch, cs := cell("clickhouse")
		rest := t.MachineCPUSeconds - t.CPUSeconds - ks - cs
		tail := "-"
		if t.MergeTailSeconds > 0 {
			tail = fmt.Sprintf("%.1f (%.0f s)", perM(t.MergeTailCPUSeconds), t.MergeTailSeconds)
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%s\t%s\t%.1f\t%s\t\n", t.Name, perM(t.MachineCPUSeconds), perM(t.CPUSeconds), kafka, ch, perM(max(rest, 0)), tail)
	}
	tw.Flush()
}
