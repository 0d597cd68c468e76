package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigil-soc/vigil/correlate"
	"github.com/vigil-soc/vigil/detect"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest/parse"
)

// ScanOptions configures `vigil scan`.
type ScanOptions struct {
	Files      []string
	Source     string // "" detects per record
	Format     string // json or table
	PolicyDir  string // "" = built-in library
	RulesDir   string // "" = built-in correlation rules
	Tenant     string
	AlertsOnly bool
	// Timezone (IANA) of timestamps written without an offset; "" is UTC.
	Timezone string
}

// ScanResult is what a scan found.
type ScanResult struct {
	Records   int
	Events    int
	Rejected  []Rejected
	Alerts    []event.Alert
	Incidents []event.Incident
	// BySource counts events per dataset.
	BySource map[string]int
}

// Rejected is a record that could not be parsed.
type Rejected struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

// Scan runs the pipeline over files without any server: parse, detect,
// correlate, and print alerts and incidents.
func Scan(ctx context.Context, opts ScanOptions, stdout, stderr io.Writer) error {
	res, err := ScanFiles(ctx, opts)
	if err != nil {
		return err
	}
	switch opts.Format {
	case "table":
		printScanTable(stdout, res, opts.AlertsOnly)
	default:
		enc := json.NewEncoder(stdout)
		for _, a := range res.Alerts {
			if err := enc.Encode(struct {
				Type string `json:"type"`
				event.Alert
			}{"alert", a}); err != nil {
				return err
			}
		}
		if !opts.AlertsOnly {
			for _, inc := range res.Incidents {
				if err := enc.Encode(struct {
					Type string `json:"type"`
					event.Incident
				}{"incident", inc}); err != nil {
					return err
				}
			}
		}
	}
	fmt.Fprintf(stderr, "scanned %d records: %d events, %d rejected, %d alerts, %d incidents\n",
		res.Records, res.Events, len(res.Rejected), countVisible(res.Alerts), len(res.Incidents))
	for i, r := range res.Rejected {
		if i == 10 {
			fmt.Fprintf(stderr, "  ... %d more rejected\n", len(res.Rejected)-10)
			break
		}
		fmt.Fprintf(stderr, "  rejected %s:%d: %s: %s\n", r.File, r.Line, r.Reason, r.Error)
	}
	return nil
}

// ScanFiles is Scan without the printing.
func ScanFiles(ctx context.Context, opts ScanOptions) (*ScanResult, error) {
	loc := time.UTC
	if opts.Timezone != "" {
		l, err := time.LoadLocation(opts.Timezone)
		if err != nil {
			return nil, fmt.Errorf("--timezone: %w", err)
		}
		loc = l
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine, err := detect.New(ctx, detect.Config{PolicyDir: opts.PolicyDir}, quiet, nil)
	if err != nil {
		return nil, fmt.Errorf("load detections: %w", err)
	}
	rules, err := loadCorrelationRules(opts.RulesDir)
	if err != nil {
		return nil, err
	}
	reg := parse.NewRegistry()
	res := &ScanResult{BySource: map[string]int{}}
	var events []event.Event
	for _, file := range opts.Files {
		recs, err := readFileRecords(file)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			res.Records++
			evs, err := reg.Parse(opts.Source, parse.Record{Value: r.Value, File: file, Line: r.Line, Tenant: opts.Tenant, Location: loc})
			if err != nil {
				rej := Rejected{File: file, Line: r.Line, Reason: parse.ReasonUnparseable, Error: err.Error()}
				var pe *parse.Error
				if errors.As(err, &pe) {
					rej.Reason = pe.Reason
				}
				res.Rejected = append(res.Rejected, rej)
				continue
			}
			for _, ev := range evs {
				res.BySource[ev.Event.Dataset]++
			}
			events = append(events, evs...)
		}
	}
	res.Events = len(events)

	byID := map[string]event.Alert{}
	var order []string
	keep := func(alerts []event.Alert) {
		for _, a := range alerts {
			if old, ok := byID[a.ID]; !ok {
				order = append(order, a.ID)
			} else if old.Count > a.Count {
				continue
			}
			byID[a.ID] = a
		}
	}
	for chunk := range slices.Chunk(events, 2048) {
		alerts, err := engine.Detect(ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("detect: %w", err)
		}
		keep(alerts)
	}
	keep(engine.Flush(time.Now().Add(100 * 365 * 24 * time.Hour)))
	all := make([]event.Alert, 0, len(order))
	for _, id := range order {
		all = append(all, byID[id])
	}
	// Correlation works in event time: feed alerts in the order they happened.
	sort.SliceStable(all, func(i, j int) bool { return all[i].Timestamp.Before(all[j].Timestamp) })

	corr, err := correlate.New(correlate.Config{Rules: rules, Logger: quiet})
	if err != nil {
		return nil, fmt.Errorf("correlate: %w", err)
	}
	defer corr.Close()
	incByID := map[string]event.Incident{}
	var incOrder []string
	for chunk := range slices.Chunk(all, 1024) {
		for _, inc := range corr.Add(ctx, chunk) {
			if _, ok := incByID[inc.ID]; !ok {
				incOrder = append(incOrder, inc.ID)
			}
			incByID[inc.ID] = inc
		}
	}
	for _, a := range all {
		if !a.Signal {
			res.Alerts = append(res.Alerts, a)
		}
	}
	for _, id := range incOrder {
		res.Incidents = append(res.Incidents, incByID[id])
	}
	return res, nil
}

func countVisible(alerts []event.Alert) int {
	n := 0
	for _, a := range alerts {
		if !a.Signal {
			n++
		}
	}
	return n
}

func printScanTable(w io.Writer, res *ScanResult, alertsOnly bool) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALERT TIME\tSEVERITY\tDETECTION\tCOUNT\tENTITIES")
	for _, a := range res.Alerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", a.Timestamp.UTC().Format(time.RFC3339), a.Severity, a.DetectionID, a.Count, entityList(a.Entities, 4))
	}
	tw.Flush()
	if alertsOnly {
		return
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INCIDENT\tSEVERITY\tRULE\tALERTS\tFIRST SEEN\tTITLE")
	for _, inc := range res.Incidents {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", inc.ID, inc.Severity, inc.Rule, len(inc.AlertIDs), inc.FirstSeen.UTC().Format(time.RFC3339), inc.Title)
	}
	tw.Flush()
}

func entityList(es []event.Entity, max int) string {
	parts := make([]string, 0, len(es))
	for i, e := range es {
		if i == max {
			parts = append(parts, fmt.Sprintf("+%d", len(es)-max))
			break
		}
		parts = append(parts, e.String())
	}
	return strings.Join(parts, " ")
}
