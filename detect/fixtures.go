package detect

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vigil-soc/vigil/event"
)

// fixtureFile is policies/fixtures/<detection id>.yaml: events replayed
// through the engine with the alerts the detection must raise for each.
type fixtureFile struct {
	File      string
	Detection string
	Cases     []fixtureCase
}

type fixtureCase struct {
	Name   string
	Line   int
	Event  event.Event
	Alerts []expectedAlert
}

// expectedAlert lists what one alert of the detection must carry; kinds
// and fields not listed are not checked.
type expectedAlert struct {
	Entities map[string]string `yaml:"entities"`
	Fields   map[string]string `yaml:"fields"`
	Severity string            `yaml:"severity"`
}

func readFixtures(src source) ([]fixtureFile, errorList) {
	var out []fixtureFile
	var problems errorList
	entries, err := fs.ReadDir(src.fsys, fixturesDir)
	if err != nil {
		return nil, nil // no fixtures
	}
	for _, de := range entries {
		if de.IsDir() || (path.Ext(de.Name()) != ".yaml" && path.Ext(de.Name()) != ".yml") {
			continue
		}
		p := path.Join(fixturesDir, de.Name())
		where := path.Join(src.label, p)
		b, err := fs.ReadFile(src.fsys, p)
		if err != nil {
			problems.add(where, 0, "%v", err)
			continue
		}
		ff, err := parseFixture(where, b)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if ff.Detection == "" {
			ff.Detection = strings.TrimSuffix(de.Name(), path.Ext(de.Name()))
		}
		out = append(out, ff)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, problems
}

func parseFixture(where string, b []byte) (fixtureFile, error) {
	ff := fixtureFile{File: where}
	var doc struct {
		Detection string      `yaml:"detection"`
		Cases     []yaml.Node `yaml:"cases"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return ff, fmt.Errorf("%s: %v", where, err)
	}
	ff.Detection = doc.Detection
	for i, n := range doc.Cases {
		var c struct {
			Name   string          `yaml:"name"`
			Event  any             `yaml:"event"`
			Alerts []expectedAlert `yaml:"alerts"`
		}
		if err := n.Decode(&c); err != nil {
			return ff, fmt.Errorf("%s:%d: %v", where, n.Line, err)
		}
		j, err := json.Marshal(c.Event)
		if err != nil {
			return ff, fmt.Errorf("%s:%d: event: %v", where, n.Line, err)
		}
		var ev event.Event
		if err := json.Unmarshal(j, &ev); err != nil {
			return ff, fmt.Errorf("%s:%d: event: %v", where, n.Line, err)
		}
		if ev.Event.ID == "" {
			ev.Event.ID = fmt.Sprintf("fx-%s-%d", strings.TrimSuffix(path.Base(where), path.Ext(where)), i+1)
		}
		if c.Name == "" {
			c.Name = fmt.Sprintf("case %d", i+1)
		}
		ev.Origin = event.Origin{File: where, Line: n.Line}
		ff.Cases = append(ff.Cases, fixtureCase{Name: c.Name, Line: n.Line, Event: ev, Alerts: c.Alerts})
	}
	return ff, nil
}

// check compares the alerts of the fixture's detection with the case's
// expectations and returns what differs.
func (c *fixtureCase) check(detectionID string, alerts []event.Alert) []string {
	var got []event.Alert
	for _, a := range alerts {
		if a.DetectionID == detectionID {
			got = append(got, a)
		}
	}
	if len(got) != len(c.Alerts) {
		var ids []string
		for _, a := range alerts {
			ids = append(ids, a.DetectionID)
		}
		return []string{fmt.Sprintf("want %d alert(s) of %s, got %d (all alerts: %v)", len(c.Alerts), detectionID, len(got), ids)}
	}
	var diffs []string
	for i, want := range c.Alerts {
		a := got[i]
		for kind, v := range want.Entities {
			have, _ := a.Entity(event.EntityKind(kind))
			if have != v {
				diffs = append(diffs, fmt.Sprintf("alert %d: entity %s = %q, want %q", i+1, kind, have, v))
			}
		}
		for k, v := range want.Fields {
			if a.Fields[k] != v {
				diffs = append(diffs, fmt.Sprintf("alert %d: field %s = %q, want %q", i+1, k, a.Fields[k], v))
			}
		}
		if want.Severity != "" && a.Severity.String() != want.Severity {
			diffs = append(diffs, fmt.Sprintf("alert %d: severity %s, want %s", i+1, a.Severity, want.Severity))
		}
	}
	return diffs
}
