package escalate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// Report writes the postmortem report (Markdown) of an incident: summary,
// one timeline merging evidence events, alerts and state changes, actors
// and entities, ATT&CK techniques, response times, lapses and open
// follow-ups. It reads only stored state, so the same incident always
// gives the same report.
func (mg *Manager) Report(ctx context.Context, id string) (string, error) {
	d, err := mg.dossier(ctx, id)
	if err != nil {
		return "", err
	}
	inc := d.inc
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	notified, isNotified := d.first(ActionCustomerNotified)

	p("# Incident report: %s\n\n", inc.Title)
	p("| | |\n|---|---|\n")
	p("| Incident | `%s` |\n", inc.ID)
	p("| Tenant | %s |\n", inc.Tenant)
	p("| Severity | %s (confidence %d, risk %d) |\n", inc.Severity, inc.Confidence, inc.RiskScore)
	p("| Status | %s |\n", inc.Status)
	p("| Correlation | %s rule `%s`, key `%s` |\n", inc.Kind, inc.Rule, inc.Key)
	p("| Activity | %s – %s |\n", fmtTime(inc.FirstSeen), fmtTime(inc.LastSeen))
	p("| Created | %s |\n", fmtTime(inc.CreatedAt))
	p("| Declared | %s |\n", fmtTime(inc.DeclaredAt))
	p("| Contained | %s |\n", fmtTime(inc.ContainedAt))
	p("| Closed | %s |\n", fmtTime(inc.ClosedAt))
	if isNotified {
		p("| Customer notified | %s by %s (due %s) |\n", fmtTime(notified.At), notified.Actor, fmtTime(inc.NotifyBy))
	} else {
		p("| Customer notified | not recorded (due %s) |\n", fmtTime(inc.NotifyBy))
	}
	if inc.Assignee != "" {
		p("| Assignee | %s |\n", inc.Assignee)
	}

	p("\n## Summary\n\n")
	if inc.Summary != "" {
		p("%s\n\n", strings.TrimSpace(inc.Summary))
	}
	im := d.impact()
	signals := 0
	for _, a := range d.alerts {
		if a.Signal {
			signals++
		}
	}
	p("%d alerts (%d of them signals) from %d detections over %d evidence events; %d users, %d hosts, %d cloud accounts involved.\n",
		len(d.alerts), signals, len(d.detections()), len(d.events), len(im.users), len(im.hosts), len(im.accounts))

	p("\n## Response times\n\n")
	p("| Phase | From → to | Took | Target | |\n|---|---|---|---|---|\n")
	row := func(phase, span string, from, to time.Time, target time.Duration) {
		took, verdict := "—", ""
		if !from.IsZero() && !to.IsZero() {
			took = dur(to.Sub(from))
			if target > 0 {
				verdict = "met"
				if to.Sub(from) > target {
					verdict = "**missed**"
				}
			}
		}
		tgt := "—"
		if target > 0 {
			tgt = dur(target)
		}
		p("| %s | %s | %s | %s | %s |\n", phase, span, took, tgt, verdict)
	}
	row("Detect", "first activity → incident", inc.FirstSeen, inc.CreatedAt, 0)
	row("Confirm", "incident → declared", inc.CreatedAt, inc.DeclaredAt, mg.cfg.SLA.Confirm)
	row("Contain", "declared → contained", inc.DeclaredAt, inc.ContainedAt, mg.cfg.SLA.Contain)
	row("Close", "declared → closed", inc.DeclaredAt, inc.ClosedAt, mg.cfg.SLA.Close)
	var notifiedAt time.Time
	if isNotified {
		notifiedAt = notified.At
	}
	deadline := time.Duration(0)
	if !inc.NotifyBy.IsZero() {
		deadline = inc.NotifyBy.Sub(inc.DeclaredAt)
	}
	row("Notify customer", "declared → notified", inc.DeclaredAt, notifiedAt, deadline)

	p("\n## ATT&CK\n\n")
	p("- Tactics: %s\n", list(d.tactics()))
	var labels []string
	for _, t := range d.techniques() {
		labels = append(labels, techniqueLabel(t))
	}
	p("- Techniques: %s\n", list(labels))

	p("\n## Actors and entities\n\n")
	actors := map[string]int{}
	for _, e := range d.timeline {
		actors[e.Actor]++
	}
	names := make([]string, 0, len(actors))
	for a := range actors {
		names = append(names, a)
	}
	sort.Strings(names)
	p("Responders and systems:\n\n")
	for _, a := range names {
		p("- %s (%d timeline entries)\n", a, actors[a])
	}
	p("\nEntities:\n\n| Kind | Value |\n|---|---|\n")
	ents := unionEntities(nil, inc.Entities)
	for _, a := range d.alerts {
		ents = unionEntities(ents, a.Entities)
	}
	sort.Slice(ents, func(i, j int) bool {
		if ents[i].Kind != ents[j].Kind {
			return ents[i].Kind < ents[j].Kind
		}
		return ents[i].Value < ents[j].Value
	})
	for _, e := range ents {
		p("| %s | %s |\n", e.Kind, md(e.Value))
	}

	p("\n## Timeline\n\n| Time (UTC) | Source | What |\n|---|---|---|\n")
	type line struct {
		at        time.Time
		order     int
		src, what string
	}
	var lines []line
	for _, e := range d.events {
		lines = append(lines, line{e.Timestamp, 0, "event " + e.Event.Dataset, describeEvent(e)})
	}
	for _, a := range d.alerts {
		if a.Signal {
			continue // one per event, and the event is on the timeline
		}
		lines = append(lines, line{a.Timestamp, 1, "alert", fmt.Sprintf("[%s] %s (`%s`, %d events)", a.Severity, a.Title, a.DetectionID, len(a.EventIDs))})
	}
	for _, e := range d.timeline {
		lines = append(lines, line{e.At, 2, e.Actor, describeEntry(e)})
	}
	sort.SliceStable(lines, func(i, j int) bool {
		if !lines[i].at.Equal(lines[j].at) {
			return lines[i].at.Before(lines[j].at)
		}
		return lines[i].order < lines[j].order
	})
	for _, l := range lines {
		p("| %s | %s | %s |\n", l.at.UTC().Format("2006-01-02 15:04:05"), md(l.src), md(l.what))
	}

	p("\n## How the picture changed\n\n")
	versions, err := mg.store.IncidentVersions(ctx, id)
	if err != nil && !mg.isNotFound(err) {
		return "", fmt.Errorf("load versions: %w", err)
	}
	writeVersions(&b, versions)

	p("\n## What was done\n\n")
	var did bool
	for _, e := range d.timeline {
		switch e.Action {
		case event.ActionTransition, event.ActionNote, ActionCustomerNotified:
			p("- %s — %s: %s\n", fmtTime(e.At), e.Actor, describeEntry(e))
			did = true
		}
	}
	if !did {
		p("- Nothing recorded.\n")
	}

	p("\n## Lapses\n\n")
	lapses := mg.lapses(d, isNotified, notified)
	if len(lapses) == 0 {
		p("- None found.\n")
	}
	for _, l := range lapses {
		p("- %s\n", l)
	}

	p("\n## Open follow-ups\n\n")
	fus := followUps(d, isNotified)
	if len(fus) == 0 {
		p("- None.\n")
	}
	for _, f := range fus {
		p("- [ ] %s\n", f)
	}
	return b.String(), nil
}

func (mg *Manager) lapses(d dossier, isNotified bool, notified event.TimelineEntry) []string {
	inc := d.inc
	var out []string
	if !inc.DeclaredAt.IsZero() && inc.DeclaredAt.Sub(inc.CreatedAt) > mg.cfg.SLA.Confirm {
		out = append(out, fmt.Sprintf("Confirmation took %s, over the %s target.", dur(inc.DeclaredAt.Sub(inc.CreatedAt)), dur(mg.cfg.SLA.Confirm)))
	}
	if !inc.ContainedAt.IsZero() && !inc.DeclaredAt.IsZero() && inc.ContainedAt.Sub(inc.DeclaredAt) > mg.cfg.SLA.Contain {
		out = append(out, fmt.Sprintf("Containment took %s, over the %s target.", dur(inc.ContainedAt.Sub(inc.DeclaredAt)), dur(mg.cfg.SLA.Contain)))
	}
	if isNotified && !inc.NotifyBy.IsZero() && notified.At.After(inc.NotifyBy) {
		out = append(out, fmt.Sprintf("The customer was notified %s after the deadline.", dur(notified.At.Sub(inc.NotifyBy))))
	}
	for _, e := range d.timeline {
		switch e.Action {
		case event.ActionDeadline:
			out = append(out, "Customer-notification deadline missed: "+e.Detail)
		case ActionDeliveryFailed:
			out = append(out, "Escalation delivery failed: "+e.Detail)
		case ActionPolicyFailed:
			out = append(out, fmt.Sprintf("Auto-confirmation failed at %s, so the incident waited for an analyst: %s", fmtTime(e.At), e.Detail))
		case event.ActionTransition:
			if e.FromStatus != "" && reopens(e.FromStatus) && e.ToStatus == event.StatusTriage {
				out = append(out, fmt.Sprintf("Reopened from %s at %s: containment did not hold (%s).", e.FromStatus, fmtTime(e.At), e.Detail))
			}
		}
	}
	return out
}

func followUps(d dossier, isNotified bool) []string {
	inc := d.inc
	var out []string
	switch inc.Status {
	case event.StatusClosed, event.StatusDismissed:
	default:
		out = append(out, fmt.Sprintf("Incident is still %s: finish the response and close it.", inc.Status))
	}
	if !inc.DeclaredAt.IsZero() && !isNotified && inc.Status != event.StatusDismissed {
		out = append(out, "Record the customer notification (customer-notified).")
	}
	failed := map[string]bool{}
	policyFailed := false
	for _, e := range d.timeline {
		if e.Action == ActionDeliveryFailed && !failed[e.Ref] {
			failed[e.Ref] = true
			out = append(out, fmt.Sprintf("Fix escalation target %s, which failed during this incident.", e.Ref))
		}
		if e.Action == ActionPolicyFailed && !policyFailed {
			policyFailed = true
			out = append(out, "Fix the auto-confirmation policy (escalate.policy_file), which failed on this incident.")
		}
		if e.Action == event.ActionNote {
			low := strings.ToLower(e.Detail)
			if strings.HasPrefix(low, "follow-up:") || strings.HasPrefix(low, "todo:") {
				out = append(out, fmt.Sprintf("%s (%s, %s)", e.Detail, e.Actor, fmtTime(e.At)))
			}
		}
	}
	for _, t := range d.techniques() {
		if _, ok := lookupTechnique(t); !ok {
			continue
		}
		out = append(out, fmt.Sprintf("Review detection coverage and hardening for %s.", techniqueLabel(t)))
	}
	return out
}

func describeEvent(e event.Event) string {
	var parts []string
	if e.Event.Action != "" {
		parts = append(parts, e.Event.Action)
	}
	if e.Event.Outcome != "" {
		parts = append(parts, "("+e.Event.Outcome+")")
	}
	if e.User.Name != "" {
		parts = append(parts, "user "+e.User.Name)
	}
	if e.Source.IP != "" {
		parts = append(parts, "from "+e.Source.IP)
	}
	if e.Host.Name != "" {
		parts = append(parts, "on "+e.Host.Name)
	}
	if e.Cloud.Account.ID != "" {
		parts = append(parts, "account "+e.Cloud.Account.ID)
	}
	if len(parts) == 0 {
		return e.Event.ID
	}
	return strings.Join(parts, " ")
}

func describeEntry(e event.TimelineEntry) string {
	switch e.Action {
	case event.ActionTransition:
		return fmt.Sprintf("%s → %s%s", orDash(string(e.FromStatus)), e.ToStatus, suffix(e.Detail))
	case event.ActionAlertAdded:
		return "alert added `" + e.Ref + "`"
	case event.ActionNote:
		return "note: " + e.Detail
	case ActionCustomerNotified:
		return "customer notified" + suffix(e.Detail)
	}
	s := strings.ReplaceAll(e.Action, "_", " ")
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// md keeps a value from breaking a Markdown table row.
func md(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

// dur prints a duration rounded for people: 3d 4h, 2h 5m, 40s.
func dur(d time.Duration) string {
	if d < 0 {
		return "-" + dur(-d)
	}
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %dh", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", d/time.Hour, (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// writeVersions lists the versions at which the incident's status or
// severity changed, with the first and the newest: what was known when it
// was created, paged, declared, contained and closed.
func writeVersions(b *strings.Builder, vs []event.Incident) {
	if len(vs) == 0 {
		b.WriteString("- No versions stored.\n")
		return
	}
	b.WriteString("| Version | Updated (UTC) | Status | Severity | Confidence | Alerts | Events |\n|---|---|---|---|---|---|---|\n")
	for i, v := range vs {
		if i > 0 && i < len(vs)-1 && v.Status == vs[i-1].Status && v.Severity == vs[i-1].Severity {
			continue
		}
		fmt.Fprintf(b, "| %d | %s | %s | %s | %d | %d | %d |\n", v.Version, v.UpdatedAt.UTC().Format("2006-01-02 15:04:05"),
			v.Status, v.Severity, v.Confidence, len(v.AlertIDs), len(v.EventIDs))
	}
	fmt.Fprintf(b, "\n%d versions in all, each in `incident_versions` (versions where only evidence was added are not listed).\n", len(vs))
}
