package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigil-soc/vigil/detect"
	"github.com/vigil-soc/vigil/escalate"
	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/storage"
)

// CheckConfig loads a configuration file and prints every problem with its
// path; it fails (exit status 1) when there is any.
func CheckConfig(path string, out io.Writer) error {
	_, err := LoadConfig(path)
	var ce *ConfigError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Fprintln(out, p.String())
		}
		return ExitError{Code: 1, Message: fmt.Sprintf("%s: %d problem(s)", path, len(ce.Problems))}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: ok\n", path)
	return nil
}

// openStore connects to the evidence store of a configuration file, for
// the CLI's one-shot commands.
func openStore(ctx context.Context, configPath string, migrate bool) (*Config, *storage.Store, error) {
	cfg, err := LoadConfig(configPath)
	if err != nil {
		return nil, nil, err
	}
	cfg.Storage.Migrate = migrate
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := storage.Open(ctx, cfg.Storage, quiet, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("open storage: %w", err)
	}
	return cfg, st, nil
}

// Migrate applies the schema migrations.
func Migrate(ctx context.Context, configPath string, out io.Writer) error {
	cfg, st, err := openStore(ctx, configPath, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "database %s is at schema version %d\n", cfg.Storage.Database, storage.SchemaVersion())
	return nil
}

// Query runs a read-only SQL query and prints the result as a table.
func Query(ctx context.Context, configPath, sql string, out io.Writer) error {
	_, st, err := openStore(ctx, configPath, false)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.Query(ctx, sql)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(res.Columns, "\t"))
	for _, row := range res.Rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	if res.Truncated {
		fmt.Fprintf(out, "(truncated at %d rows: storage.query_max_rows)\n", len(res.Rows))
	}
	return nil
}

// IncidentListOptions filters `vigil incident list`.
type IncidentListOptions struct {
	Status string
	Tenant string
	Limit  int
}

// IncidentList prints incidents, newest activity first.
func IncidentList(ctx context.Context, configPath string, opts IncidentListOptions, out io.Writer) error {
	_, st, err := openStore(ctx, configPath, false)
	if err != nil {
		return err
	}
	defer st.Close()
	f := storage.IncidentFilter{Tenant: opts.Tenant, Limit: opts.Limit}
	if opts.Status != "" {
		for _, s := range strings.Split(opts.Status, ",") {
			f.Statuses = append(f.Statuses, event.Status(strings.TrimSpace(s)))
		}
	}
	incs, err := st.ListIncidents(ctx, f)
	if err != nil {
		return err
	}
	printIncidents(out, incs)
	return nil
}

func printIncidents(out io.Writer, incs []event.Incident) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTENANT\tSTATUS\tSEVERITY\tALERTS\tFIRST SEEN\tTITLE")
	for _, inc := range incs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", inc.ID, inc.Tenant, inc.Status, inc.Severity, len(inc.AlertIDs), inc.FirstSeen.UTC().Format(time.RFC3339), inc.Title)
	}
	tw.Flush()
}

// IncidentDoc prints one incident: "show" (the incident with its alerts,
// evidence and timeline as JSON), "report" (the postmortem, Markdown) or
// "draft" (the customer-notification draft).
func IncidentDoc(ctx context.Context, configPath, what, id string, out io.Writer) error {
	cfg, st, err := openStore(ctx, configPath, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if what == "show" {
		return showIncident(ctx, st, id, out)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mg, err := escalate.NewManager(ctx, cfg.Escalate, st, escalate.Options{
		IsNotFound: func(err error) bool { return errors.Is(err, storage.ErrNotFound) },
		Logger:     quiet,
	})
	if err != nil {
		return err
	}
	var doc string
	if what == "report" {
		doc, err = mg.Report(ctx, id)
	} else {
		doc, err = mg.NotificationDraft(ctx, id)
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, doc)
	return err
}

func showIncident(ctx context.Context, st *storage.Store, id string, out io.Writer) error {
	inc, err := st.Incident(ctx, id)
	if err != nil {
		return fmt.Errorf("incident %s: %w", id, err)
	}
	alerts, err := st.Alerts(ctx, inc.AlertIDs)
	if err != nil {
		return err
	}
	events, err := st.Events(ctx, inc.EventIDs)
	if err != nil {
		return err
	}
	timeline, err := st.Timeline(ctx, id)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Incident event.Incident        `json:"incident"`
		Alerts   []event.Alert         `json:"alerts"`
		Events   []event.Event         `json:"events"`
		Timeline []event.TimelineEntry `json:"timeline"`
	}{inc, alerts, events, timeline})
}

// Policy runs `vigil policy test|lint|coverage|bench` on a policy directory
// ("" is policies/ of the working directory).
func Policy(ctx context.Context, what, dir string, out io.Writer) error {
	if dir == "" {
		dir = "policies"
	}
	switch what {
	case "test":
		rep, err := detect.RunTests(ctx, dir)
		if err != nil {
			return err
		}
		for _, r := range append(rep.Tests, rep.Fixtures...) {
			if !r.Pass {
				fmt.Fprintf(out, "FAIL %s (%s:%d): %s\n", r.Name, r.File, r.Line, r.Message)
			}
		}
		fmt.Fprintf(out, "%d passed, %d failed\n", rep.Passed(), rep.Failed())
		if rep.Failed() > 0 {
			return ExitError{Code: 1}
		}
		return nil
	case "lint":
		problems := detect.Lint(dir)
		errs := 0
		for _, p := range problems {
			fmt.Fprintln(out, p.String())
			if p.Severity == "error" {
				errs++
			}
		}
		if errs > 0 {
			return ExitError{Code: 1, Message: fmt.Sprintf("%d lint error(s)", errs)}
		}
		fmt.Fprintf(out, "lint: %d warning(s), no errors\n", len(problems))
		return nil
	case "coverage":
		cov := detect.Coverage(dir)
		fmt.Fprintf(out, "%d detections (%d signals)\n", cov.Detections, cov.Signals)
		printGroup(out, "ATT&CK tactic", cov.ByTactic)
		printGroup(out, "ATT&CK technique", cov.ByTechnique)
		printGroup(out, "log source", cov.BySource)
		for _, e := range cov.Errors {
			fmt.Fprintln(out, "error:", e)
		}
		return nil
	case "bench":
		rep, err := detect.BenchDetections(ctx, dir, detect.BenchOptions{})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%d events; all detections as the engine evaluates them: %.0f ns/event (one detection no event satisfies, alone: %.0f ns/event)\n", rep.Events, rep.AllNs, rep.BaselineNs)
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DETECTION\tNS/EVENT\tBUDGET\tOVER")
		for _, d := range rep.Detections {
			fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%v\n", d.ID, d.NsPerEvent, float64(d.Budget.Nanoseconds()), d.OverBudget)
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown policy command %q", what)
}

func printGroup(out io.Writer, title string, m map[string][]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(out, "\nby %s:\n", title)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", k, len(m[k]), strings.Join(m[k], ", "))
	}
	tw.Flush()
}
