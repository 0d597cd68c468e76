package gen

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/ingest/parse"
)

// TestParsesThroughIngest feeds every generated record to the ingest
// parsers, both by source name and by detection, and checks that the
// scenario entities come out of the normalized events.
func TestParsesThroughIngest(t *testing.T) {
	reg := parse.NewRegistry()
	g := New(Config{Seed: 5, Noise: true, ScenarioEvery: 1500, EventsPerSecondOfEventTime: 20})
	recs := g.Generate(60000)
	failures := map[string]int{}
	var examples []string
	byScenario := map[string][]event.Event{}
	for i, r := range recs {
		pr := parse.Record{Value: r.Value, Topic: r.Topic, Offset: int64(i), Tenant: r.Tenant, Time: r.Time}
		evs, err := reg.Parse(r.Source, pr)
		if err == nil && len(evs) == 0 {
			err = fmt.Errorf("no events")
		}
		if err != nil {
			k := r.Source + " " + err.Error()
			if len(k) > 120 {
				k = k[:120]
			}
			if failures[k] == 0 && len(examples) < 10 {
				examples = append(examples, k+"\n    "+string(r.Value))
			}
			failures[k]++
			continue
		}
		if _, err := reg.Parse(parse.SourceAuto, pr); err != nil {
			failures[r.Source+" (auto) "+err.Error()]++
		}
		for _, ev := range evs {
			// Sources round to the second at worst.
			if d := ev.Timestamp.Sub(r.Time).Abs(); d >= time.Second {
				k := r.Source + " timestamp " + ev.Timestamp.String() + " for " + r.Time.String()
				failures[k[:len(r.Source)+20]]++
				if failures[k[:len(r.Source)+20]] == 1 {
					examples = append(examples, k)
				}
			}
		}
		if r.Scenario != "" {
			byScenario[r.Scenario] = append(byScenario[r.Scenario], evs...)
		}
	}
	for k, n := range failures {
		t.Errorf("%d× %s", n, k)
	}
	for _, e := range examples {
		t.Log(e)
	}
	for _, exp := range g.Expected() {
		evs := byScenario[exp.Scenario]
		for _, ent := range exp.Entities {
			if !mentions(evs, ent) {
				t.Errorf("%s: entity %v not in any normalized event", exp.Scenario, ent)
			}
		}
	}
}

// mentions reports whether some event carries the entity in the ECS field
// correlation would key on.
func mentions(evs []event.Event, ent event.Entity) bool {
	v := strings.ToLower(ent.Value)
	for i := range evs {
		e := &evs[i]
		var cands []string
		switch ent.Kind {
		case event.EntityUser, event.EntityMailbox:
			cands = append(cands, e.User.Name, e.User.Email, e.User.ID)
			if e.User.Target != nil {
				cands = append(cands, e.User.Target.Name, e.User.Target.Email)
			}
			cands = append(cands, e.Related.User...)
		case event.EntityIP:
			cands = append(cands, e.Source.IP, e.Destination.IP)
			cands = append(cands, e.Related.IP...)
		case event.EntityHost:
			cands = append(cands, e.Host.Name, e.Host.Hostname)
			cands = append(cands, e.Related.Hosts...)
		case event.EntityCloudAccount:
			cands = append(cands, e.Cloud.Account.ID)
		case event.EntityDomain:
			cands = append(cands, e.DNS.Question.RegisteredDomain, e.DNS.Question.Name, e.URL.Domain, e.TLS.ServerName, e.Destination.Domain)
			for _, to := range e.Email.To {
				cands = append(cands, to[strings.LastIndexByte(to, '@')+1:])
			}
		}
		// A domain entity is the registered domain; the parser may leave
		// dns.question.registered_domain empty, so accept a subdomain.
		if slices.ContainsFunc(cands, func(c string) bool {
			c = strings.ToLower(c)
			return c == v || ent.Kind == event.EntityDomain && strings.HasSuffix(c, "."+v)
		}) {
			return true
		}
	}
	return false
}
