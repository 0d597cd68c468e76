// Command vigil is the security telemetry pipeline: `vigil run` is the
// long-running service; the other subcommands check configuration, migrate
// the evidence store, query it, work with incidents, test policies and scan
// log files without any server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // topic time zones work where the system has no zoneinfo

	"github.com/vigil-soc/vigil/internal/app"
)

const usage = `vigil — security telemetry pipeline

Usage:
  vigil run --config FILE                 run the pipeline (ingest → detect → correlate → storage / escalate)
  vigil config check FILE                 report every configuration problem with its path
  vigil migrate --config FILE             apply the ClickHouse schema migrations
  vigil query --config FILE 'SQL'         run a read-only SQL query against the evidence store
  vigil incident list --config FILE       list incidents
  vigil incident show --config FILE ID    show an incident with its alerts, evidence and timeline
  vigil incident report --config FILE ID  write the postmortem report (Markdown)
  vigil incident draft --config FILE ID   write the customer-notification draft
  vigil policy test [DIR]                 run the Rego unit tests and fixture tests
  vigil policy lint [DIR]                 check detection metadata
  vigil policy coverage [DIR]             detections per ATT&CK tactic/technique and log source
  vigil policy bench [DIR]                ns/event per detection on its fixtures
  vigil scan [--source S] [--format json|table] FILE...
                                          parse, detect and correlate log files without servers
  vigil demo --config FILE                stream generated attack telemetry through the local stack
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	var exit app.ExitError
	if errors.As(err, &exit) {
		if exit.Message != "" {
			fmt.Fprintln(os.Stderr, exit.Message)
		}
		os.Exit(exit.Code)
	}
	fmt.Fprintln(os.Stderr, "vigil:", err)
	os.Exit(1)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return app.ExitError{Code: 2}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		fs, cfg := configFlags("run", stderr)
		if err := fs.Parse(rest); err != nil {
			return app.ExitError{Code: 2}
		}
		return app.Serve(ctx, *cfg, stderr)
	case "config":
		if len(rest) != 2 || rest[0] != "check" {
			fmt.Fprint(stderr, usage)
			return app.ExitError{Code: 2}
		}
		return app.CheckConfig(rest[1], stdout)
	case "migrate":
		fs, cfg := configFlags("migrate", stderr)
		if err := fs.Parse(rest); err != nil {
			return app.ExitError{Code: 2}
		}
		return app.Migrate(ctx, *cfg, stdout)
	case "query":
		fs, cfg := configFlags("query", stderr)
		if err := fs.Parse(rest); err != nil || fs.NArg() != 1 {
			fmt.Fprintln(stderr, "usage: vigil query --config FILE 'SQL'")
			return app.ExitError{Code: 2}
		}
		return app.Query(ctx, *cfg, fs.Arg(0), stdout)
	case "incident":
		return incident(ctx, rest, stdout, stderr)
	case "policy":
		return policy(ctx, rest, stdout, stderr)
	case "scan":
		fs := flag.NewFlagSet("scan", flag.ContinueOnError)
		fs.SetOutput(stderr)
		opts := app.ScanOptions{}
		fs.StringVar(&opts.Source, "source", "", "log source of every file (default: detect from each record)")
		fs.StringVar(&opts.Format, "format", "json", "output: json (JSON lines) or table")
		fs.StringVar(&opts.PolicyDir, "policies", "", "policy directory (default: the built-in library)")
		fs.StringVar(&opts.Tenant, "tenant", "default", "tenant for records that carry none")
		fs.BoolVar(&opts.AlertsOnly, "alerts-only", false, "print alerts only, no incidents")
		fs.StringVar(&opts.Timezone, "timezone", "", "IANA time zone of timestamps without an offset (auth.log, Windows TimeCreated); default UTC")
		if err := fs.Parse(rest); err != nil || fs.NArg() == 0 {
			fmt.Fprintln(stderr, "usage: vigil scan [--source S] [--format json|table] FILE...")
			return app.ExitError{Code: 2}
		}
		opts.Files = fs.Args()
		return app.Scan(ctx, opts, stdout, stderr)
	case "demo":
		fs, cfg := configFlags("demo", stderr)
		opts := app.DemoOptions{}
		fs.IntVar(&opts.Repeats, "repeats", 1, "how many times each attack scenario is injected")
		fs.IntVar(&opts.Noise, "noise", 20000, "background events to generate")
		fs.Int64Var(&opts.Seed, "seed", 0, "generator seed (0: a new one each run, printed so a run can be repeated)")
		fs.StringVar(&opts.LogFile, "log", ".local/demo/vigil.log", "file for the pipeline's log")
		fs.DurationVar(&opts.Timeout, "timeout", 5*time.Minute, "how long to wait for the pipeline to settle")
		if err := fs.Parse(rest); err != nil {
			return app.ExitError{Code: 2}
		}
		opts.Config = *cfg
		return app.Demo(ctx, opts, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return app.ExitError{Code: 2}
	}
}

func configFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "", "configuration file (YAML)")
	return fs, cfg
}

func incident(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return app.ExitError{Code: 2}
	}
	sub := args[0]
	fs, cfg := configFlags("incident "+sub, stderr)
	status := fs.String("status", "", "list: only incidents in this status")
	tenant := fs.String("tenant", "", "list: only this tenant")
	limit := fs.Int("limit", 50, "list: at most this many")
	if err := fs.Parse(args[1:]); err != nil {
		return app.ExitError{Code: 2}
	}
	switch sub {
	case "list":
		return app.IncidentList(ctx, *cfg, app.IncidentListOptions{Status: *status, Tenant: *tenant, Limit: *limit}, stdout)
	case "show", "report", "draft":
		if fs.NArg() != 1 {
			fmt.Fprintf(stderr, "usage: vigil incident %s --config FILE ID\n", sub)
			return app.ExitError{Code: 2}
		}
		return app.IncidentDoc(ctx, *cfg, sub, fs.Arg(0), stdout)
	default:
		fmt.Fprintf(stderr, "unknown incident command %q\n", sub)
		return app.ExitError{Code: 2}
	}
}

func policy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return app.ExitError{Code: 2}
	}
	switch args[0] {
	case "test", "lint", "coverage", "bench":
		fs := flag.NewFlagSet("policy "+args[0], flag.ContinueOnError)
		fs.SetOutput(stderr)
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 1 {
			fmt.Fprintf(stderr, "usage: vigil policy %s [DIR] (default: the built-in library)\n", args[0])
			return app.ExitError{Code: 2}
		}
		return app.Policy(ctx, args[0], fs.Arg(0), stdout)
	default:
		fmt.Fprintf(stderr, "unknown policy command %q\n", args[0])
		return app.ExitError{Code: 2}
	}
}
