package escalate

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// dossier is everything stored about one incident.
type dossier struct {
	inc      event.Incident
	alerts   []event.Alert
	events   []event.Event
	timeline []event.TimelineEntry
}

func (mg *Manager) dossier(ctx context.Context, id string) (dossier, error) {
	inc, err := mg.load(ctx, id)
	if err != nil {
		return dossier{}, err
	}
	d := dossier{inc: inc}
	if d.alerts, err = mg.store.Alerts(ctx, inc.AlertIDs); err != nil {
		return d, fmt.Errorf("load alerts: %w", err)
	}
	eventIDs := slices.Clone(inc.EventIDs)
	for _, a := range d.alerts {
		eventIDs = union(eventIDs, a.EventIDs)
	}
	if d.events, err = mg.store.Events(ctx, eventIDs); err != nil {
		return d, fmt.Errorf("load events: %w", err)
	}
	if d.timeline, err = mg.store.Timeline(ctx, id); err != nil {
		return d, fmt.Errorf("load timeline: %w", err)
	}
	sort.SliceStable(d.alerts, func(i, j int) bool { return d.alerts[i].Timestamp.Before(d.alerts[j].Timestamp) })
	sort.SliceStable(d.events, func(i, j int) bool { return d.events[i].Timestamp.Before(d.events[j].Timestamp) })
	sort.SliceStable(d.timeline, func(i, j int) bool {
		a, b := d.timeline[i], d.timeline[j]
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		if (a.Action == event.ActionCreated) != (b.Action == event.ActionCreated) {
			return a.Action == event.ActionCreated
		}
		return a.ID < b.ID
	})
	return d, nil
}

// impact counts what an incident touched.
type impact struct {
	users, hosts, accounts, mailboxes, ips, apps []string
}

func (d *dossier) impact() impact {
	var im impact
	add := func(kind event.EntityKind, v string) {
		if v == "" {
			return
		}
		switch kind {
		case event.EntityUser:
			im.users = union(im.users, []string{v})
		case event.EntityHost:
			im.hosts = union(im.hosts, []string{v})
		case event.EntityCloudAccount:
			im.accounts = union(im.accounts, []string{v})
		case event.EntityMailbox:
			im.mailboxes = union(im.mailboxes, []string{v})
		case event.EntityIP:
			im.ips = union(im.ips, []string{v})
		case event.EntityApplication:
			im.apps = union(im.apps, []string{v})
		}
	}
	for _, e := range d.inc.Entities {
		add(e.Kind, e.Value)
	}
	for _, a := range d.alerts {
		for _, e := range a.Entities {
			add(e.Kind, e.Value)
		}
	}
	for _, e := range d.events {
		add(event.EntityUser, e.User.Name)
		add(event.EntityHost, e.Host.Name)
		add(event.EntityCloudAccount, e.Cloud.Account.ID)
	}
	for _, s := range [][]string{im.users, im.hosts, im.accounts, im.mailboxes, im.ips, im.apps} {
		sort.Strings(s)
	}
	return im
}

func (d *dossier) techniques() []string {
	ts := slices.Clone(d.inc.Techniques)
	for _, a := range d.alerts {
		ts = union(ts, a.Techniques)
	}
	sort.Strings(ts)
	return ts
}

func (d *dossier) tactics() []string {
	ts := slices.Clone(d.inc.Tactics)
	for _, a := range d.alerts {
		ts = union(ts, a.Tactics)
	}
	sort.Strings(ts)
	return ts
}

func (d *dossier) detections() []string {
	var out []string
	for _, a := range d.alerts {
		out = union(out, []string{a.Title})
	}
	return out
}

func (d *dossier) first(action string) (event.TimelineEntry, bool) {
	for _, e := range d.timeline {
		if e.Action == action {
			return e, true
		}
	}
	return event.TimelineEntry{}, false
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func list(items []string) string {
	if len(items) == 0 {
		return "none identified"
	}
	return strings.Join(items, ", ")
}

// NotificationDraft writes a customer-notification draft (Markdown) for an
// analyst to review and send: the nature of the breach, who is affected,
// approximate impact, mitigations so far, actions for the customer and
// next steps with dates.
func (mg *Manager) NotificationDraft(ctx context.Context, id string) (string, error) {
	d, err := mg.dossier(ctx, id)
	if err != nil {
		return "", err
	}
	inc := d.inc
	now := mg.now()
	im := d.impact()
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# Security incident notification — %s\n\n", inc.Title)
	p("DRAFT for review before sending. Incident reference %s, tenant %s.\n\n", inc.ID, inc.Tenant)

	p("## What happened\n\n")
	p("On %s we detected activity in your environment that we have confirmed as a security incident (declared %s). ",
		fmtTime(inc.FirstSeen), fmtTime(inc.DeclaredAt))
	if inc.Summary != "" {
		p("%s", strings.TrimSpace(inc.Summary))
	}
	p("\n\n")
	if ts := d.techniques(); len(ts) > 0 {
		labels := make([]string, len(ts))
		for i, t := range ts {
			labels[i] = techniqueLabel(t)
		}
		p("The activity matches these attacker techniques (MITRE ATT&CK): %s.\n\n", strings.Join(labels, "; "))
	}
	if dets := d.detections(); len(dets) > 0 {
		p("What our monitoring observed:\n\n")
		for _, t := range dets {
			p("- %s\n", t)
		}
		p("\n")
	}

	p("## Who and what is affected\n\n")
	p("- Users: %s\n", list(im.users))
	if len(im.mailboxes) > 0 {
		p("- Mailboxes: %s\n", list(im.mailboxes))
	}
	p("- Hosts: %s\n", list(im.hosts))
	p("- Cloud accounts: %s\n", list(im.accounts))
	if len(im.ips) > 0 {
		p("- Source addresses involved: %s\n", list(im.ips))
	}
	p("\n## Approximate impact\n\n")
	p("Between %s and %s we recorded %d related events and %d alerts, involving %d users, %d hosts and %d cloud accounts. "+
		"These figures are preliminary and may change as the investigation continues.\n\n",
		fmtTime(inc.FirstSeen), fmtTime(inc.LastSeen), len(d.events), len(d.alerts), len(im.users), len(im.hosts), len(im.accounts))

	p("## What we have done\n\n")
	var did bool
	for _, e := range d.timeline {
		if e.Action == event.ActionTransition && (e.ToStatus == event.StatusContained || e.ToStatus == event.StatusEradicated || e.ToStatus == event.StatusRecovered) {
			p("- %s: %s%s\n", fmtTime(e.At), statusVerb(e.ToStatus), suffix(e.Detail))
			did = true
		}
		if e.Action == event.ActionNote {
			p("- %s: %s\n", fmtTime(e.At), e.Detail)
			did = true
		}
	}
	if !did {
		p("- Our security response team is investigating and working to contain the incident.\n")
	}

	p("\n## What you should do\n\n")
	seen := map[string]bool{}
	for _, t := range d.techniques() {
		if info, ok := lookupTechnique(t); ok {
			for _, a := range info.actions {
				if !seen[a] {
					seen[a] = true
					p("- %s\n", a)
				}
			}
		}
	}
	p("- Review the activity of the affected users and hosts listed above and tell us about anything you do not recognise.\n")

	p("\n## Next steps\n\n")
	if !inc.NotifyBy.IsZero() {
		p("- This notification is due to you by %s.\n", fmtTime(inc.NotifyBy))
	}
	p("- We will send the next update by %s, or sooner if we learn more.\n", fmtTime(now.Add(mg.cfg.Deadlines.UpdateEvery)))
	p("- When the incident is closed you will receive a summary of its cause and of the measures taken.\n")
	return b.String(), nil
}

func statusVerb(s event.Status) string {
	switch s {
	case event.StatusContained:
		return "contained"
	case event.StatusEradicated:
		return "removed the attacker's access (eradicated)"
	case event.StatusRecovered:
		return "restored affected systems (recovered)"
	}
	return string(s)
}

func suffix(detail string) string {
	if detail == "" {
		return ""
	}
	return " — " + detail
}
