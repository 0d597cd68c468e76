package correlate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigil-soc/vigil/event"
)

// Kind is what a correlation rule looks for.
type Kind string

// Rule kinds.
const (
	// KindThreshold: N matching alerts (or N distinct values) for one key
	// within a window.
	KindThreshold Kind = "threshold"
	// KindSequence: steps A then B (then C ...) for one key within a span,
	// in event-time order.
	KindSequence Kind = "sequence"
	// KindEntity: alerts sharing an entity within a window become one
	// incident.
	KindEntity Kind = "entity"
	// KindRisk: the sum of alert risk scores for one key within a window
	// reaches a threshold.
	KindRisk Kind = "risk"
)

// Special group_by / distinct names that are not entity kinds.
const (
	// DistinctDetection counts distinct detection ids.
	DistinctDetection = "detection"
	// fieldPrefix selects a value from Alert.Fields: "field:source.ip".
	fieldPrefix = "field:"
)

// maxKeysPerAlert bounds the keys one alert can produce under one rule when
// it carries several entities of a group_by kind (cartesian product).
const maxKeysPerAlert = 16

// Rule is one validated correlation rule.
type Rule struct {
	ID          string
	Kind        Kind
	Title       string // text/template source; see TitleData
	Description string
	// Match selects the alerts of threshold, entity and risk rules.
	Match Match
	// Steps are the ordered steps of a sequence rule.
	Steps []Step
	// GroupBy lists the key parts: entity kinds ("user", "ip", ...) or
	// "field:<name>" for a value of Alert.Fields. The tenant is always part
	// of the key in addition.
	GroupBy []string
	// Window is the length of the event-time window of threshold, entity and
	// risk rules; Hop is how far consecutive (overlapping) windows start
	// apart. Window is a multiple of Hop.
	Window time.Duration
	Hop    time.Duration
	// Span bounds a sequence: the last step completes at most Span after the
	// first alert of the first step.
	Span time.Duration
	// Threshold is the count (threshold), distinct count (threshold with
	// Distinct) or risk sum (risk) that raises the incident.
	Threshold int
	// Distinct, for threshold rules, counts distinct values of an entity
	// kind (or "detection", or "field:<name>") instead of alerts.
	Distinct string
	// MinAlerts and MinDetections are the entity rule's conditions;
	// MinDetections also applies to risk rules (distinct detection ids).
	MinAlerts     int
	MinDetections int
	// MinPeakSeverity, for entity and risk rules: at least one alert of the
	// window has this severity or higher. Unknown (zero) means no condition.
	MinPeakSeverity event.Severity
	// SuppressIfCovered, for threshold, entity and risk rules (roll-ups): an
	// alert that already belongs to an incident of a rule without it (a
	// story) with the same tenant and key does not count towards the rule
	// and does not join its incidents. The story tells it; the roll-up
	// reports only what the stories did not.
	SuppressIfCovered bool
	// Severity is the incident's floor; MaxSeverity its ceiling.
	Severity    event.Severity
	MaxSeverity event.Severity
	// Confidence (0-100) is the rule's own confidence.
	Confidence int
	// File is the file the rule was loaded from.
	File string

	title *template.Template
}

// Step is one step of a sequence rule.
type Step struct {
	Name     string
	Match    Match
	MinCount int
}

// Match selects alerts. Every non-empty condition must hold; within a list
// any entry may match.
type Match struct {
	// Detections are detection ids or glob patterns (path.Match syntax:
	// "aws.cloudtrail.*", "*.brute_force").
	Detections []string
	// Tactics are MITRE ATT&CK tactic names or ids, compared
	// case-insensitively with spaces and underscores read as hyphens.
	Tactics []string
	// Techniques are technique ids or globs; "T1110" also matches its
	// sub-techniques ("T1110.003").
	Techniques []string
	// Signal, when set, requires Alert.Signal to equal it.
	Signal *bool
	// MinSeverity is the lowest alert severity that matches.
	MinSeverity event.Severity

	exact map[string]struct{}
	globs []string
	cache *globCache // glob results by detection id, shared by copies
}

// globCache remembers which detection ids the globs of a Match accept, so
// that the patterns run once per detection id rather than once per alert.
type globCache struct {
	m sync.Map // string → bool
	n atomic.Int32
}

const maxGlobCache = 4096

// TitleData is what a rule's title template sees.
type TitleData struct {
	Rule     string
	Tenant   string
	Key      string            // "ip=203.0.113.7" or "cloud_account=1234,user=alice"
	Group    map[string]string // group_by part → value
	Count    int               // alerts (weighted by Alert.Count for thresholds)
	Distinct int               // distinct values for threshold rules with distinct
	Risk     int               // sum of alert risk scores
}

// RuleError is a rule file that failed to load or validate.
type RuleError struct {
	File  string
	Rule  string // empty when the file itself is bad
	Field string
	Err   error
}

func (e *RuleError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Rule != "" {
		fmt.Fprintf(&b, ": rule %q", e.Rule)
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *RuleError) Unwrap() error { return e.Err }

// ---------------------------------------------------------------- loading

type ruleFileYAML struct {
	Rules []ruleYAML `yaml:"rules"`
}

type ruleYAML struct {
	ID            string        `yaml:"id"`
	Kind          string        `yaml:"kind"`
	Title         string        `yaml:"title"`
	Description   string        `yaml:"description"`
	Match         *matchYAML    `yaml:"match"`
	Steps         []stepYAML    `yaml:"steps"`
	GroupBy       []string      `yaml:"group_by"`
	Window        time.Duration `yaml:"window"`
	Hop           time.Duration `yaml:"hop"`
	Span          time.Duration `yaml:"span"`
	Threshold     int           `yaml:"threshold"`
	Distinct      string        `yaml:"distinct"`
	MinAlerts     int           `yaml:"min_alerts"`
	MinDetections int           `yaml:"min_detections"`
	PeakSeverity  string        `yaml:"min_peak_severity"`
	Suppress      bool          `yaml:"suppress_if_covered"`
	Severity      string        `yaml:"severity"`
	MaxSeverity   string        `yaml:"max_severity"`
	Confidence    *int          `yaml:"confidence"`
	Disabled      bool          `yaml:"disabled"`
}

type matchYAML struct {
	Detections  []string `yaml:"detections"`
	Tactics     []string `yaml:"tactics"`
	Techniques  []string `yaml:"techniques"`
	Signal      *bool    `yaml:"signal"`
	MinSeverity string   `yaml:"min_severity"`
}

type stepYAML struct {
	Name     string     `yaml:"name"`
	Match    *matchYAML `yaml:"match"`
	MinCount int        `yaml:"min_count"`
}

// LoadRules reads every *.yaml and *.yml file in dir of fsys, in name order,
// and returns the enabled rules. All problems are reported together, each a
// *RuleError naming the file, the rule id and the field.
func LoadRules(fsys fs.FS, dir string) ([]Rule, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read rule directory %s: %w", dir, err)
	}
	var (
		rules []Rule
		errs  []error
		seen  = map[string]string{}
	)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || (!strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".yml")) {
			continue
		}
		file := path.Join(dir, name)
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			errs = append(errs, &RuleError{File: file, Err: err})
			continue
		}
		rs, err := ParseRules(file, data)
		if err != nil {
			errs = append(errs, err)
		}
		for _, r := range rs {
			if prev, dup := seen[r.ID]; dup {
				errs = append(errs, &RuleError{File: file, Rule: r.ID, Field: "id",
					Err: fmt.Errorf("duplicate rule id, also in %s", prev)})
				continue
			}
			seen[r.ID] = file
			rules = append(rules, r)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}

// ParseRules parses one rule file. file names the source in errors. Rules
// that validate are returned even when others fail.
func ParseRules(file string, data []byte) ([]Rule, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f ruleFileYAML
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, &RuleError{File: file, Err: fmt.Errorf("parse: %w", err)}
	}
	var (
		rules []Rule
		errs  []error
		ids   = map[string]bool{}
	)
	for i, ry := range f.Rules {
		r, err := compileRule(file, i, ry)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ids[r.ID] {
			errs = append(errs, &RuleError{File: file, Rule: r.ID, Field: "id", Err: errors.New("duplicate rule id")})
			continue
		}
		ids[r.ID] = true
		if ry.Disabled {
			continue
		}
		rules = append(rules, r)
	}
	return rules, errors.Join(errs...)
}

var entityKinds = map[string]bool{
	string(event.EntityUser): true, string(event.EntityHost): true, string(event.EntityIP): true,
	string(event.EntityCloudAccount): true, string(event.EntityMailbox): true,
	string(event.EntityProcess): true, string(event.EntityDomain): true,
	string(event.EntityFile): true, string(event.EntityApplication): true,
}

func validKeyPart(p string) bool {
	if entityKinds[p] {
		return true
	}
	return strings.HasPrefix(p, fieldPrefix) && len(p) > len(fieldPrefix)
}

func compileRule(file string, idx int, ry ruleYAML) (Rule, error) {
	id := ry.ID
	var errs []error
	bad := func(field string, format string, args ...any) {
		errs = append(errs, &RuleError{File: file, Rule: id, Field: field, Err: fmt.Errorf(format, args...)})
	}
	if id == "" {
		id = fmt.Sprintf("#%d", idx+1)
		bad("id", "is required")
	}
	r := Rule{
		ID: ry.ID, Kind: Kind(ry.Kind), Title: ry.Title, Description: ry.Description,
		GroupBy: ry.GroupBy, Window: ry.Window, Hop: ry.Hop, Span: ry.Span,
		Threshold: ry.Threshold, Distinct: ry.Distinct,
		MinAlerts: ry.MinAlerts, MinDetections: ry.MinDetections,
		Severity: event.SeverityLow, MaxSeverity: event.SeverityCritical, Confidence: 50, File: file,
	}
	switch r.Kind {
	case KindThreshold, KindSequence, KindEntity, KindRisk:
	case "":
		bad("kind", "is required (threshold, sequence, entity or risk)")
	default:
		bad("kind", "unknown kind %q (threshold, sequence, entity or risk)", ry.Kind)
	}
	if r.Title == "" {
		bad("title", "is required")
	} else if t, err := template.New(id).Option("missingkey=zero").Parse(r.Title); err != nil {
		bad("title", "parse template: %w", err)
	} else {
		r.title = t
	}
	if len(r.GroupBy) == 0 {
		bad("group_by", "is required (entity kinds such as user, host, ip, cloud_account, mailbox)")
	}
	for _, g := range r.GroupBy {
		if !validKeyPart(g) {
			bad("group_by", "unknown key part %q (an entity kind or field:<name>)", g)
		}
	}
	if slices.Contains(r.GroupBy, "") || hasDup(r.GroupBy) {
		bad("group_by", "has an empty or repeated part")
	}
	if ry.Severity != "" {
		s, ok := event.ParseSeverity(ry.Severity)
		if !ok || s == event.SeverityUnknown {
			bad("severity", "unknown severity %q", ry.Severity)
		}
		r.Severity = s
	}
	if ry.PeakSeverity != "" {
		s, ok := event.ParseSeverity(ry.PeakSeverity)
		if !ok || s == event.SeverityUnknown {
			bad("min_peak_severity", "unknown severity %q", ry.PeakSeverity)
		}
		if r.Kind != KindEntity && r.Kind != KindRisk {
			bad("min_peak_severity", "applies to entity and risk rules only")
		}
		r.MinPeakSeverity = s
	}
	if ry.Suppress {
		if r.Kind == KindSequence {
			bad("suppress_if_covered", "applies to threshold, entity and risk rules only")
		}
		r.SuppressIfCovered = true
	}
	if ry.MaxSeverity != "" {
		s, ok := event.ParseSeverity(ry.MaxSeverity)
		if !ok || s == event.SeverityUnknown {
			bad("max_severity", "unknown severity %q", ry.MaxSeverity)
		}
		r.MaxSeverity = s
	}
	if r.Severity > r.MaxSeverity {
		bad("severity", "%s is above max_severity %s", r.Severity, r.MaxSeverity)
	}
	if ry.Confidence != nil {
		if *ry.Confidence < 0 || *ry.Confidence > 100 {
			bad("confidence", "must be within 0-100, got %d", *ry.Confidence)
		}
		r.Confidence = *ry.Confidence
	}

	switch r.Kind {
	case KindSequence:
		if ry.Match != nil {
			bad("match", "sequence rules match per step: move it under steps")
		}
		if r.Span <= 0 {
			bad("span", "must be > 0")
		}
		if r.Window != 0 || r.Hop != 0 {
			bad("window", "sequence rules use span, not window/hop")
		}
		if len(ry.Steps) < 2 || len(ry.Steps) > 16 {
			bad("steps", "a sequence needs 2 to 16 steps, got %d", len(ry.Steps))
		}
		for i, sy := range ry.Steps {
			field := fmt.Sprintf("steps[%d]", i)
			st := Step{Name: sy.Name, MinCount: sy.MinCount}
			if st.Name == "" {
				st.Name = fmt.Sprintf("step%d", i+1)
			}
			if st.MinCount == 0 {
				st.MinCount = 1
			}
			if st.MinCount < 0 {
				bad(field+".min_count", "must be >= 1")
			}
			if sy.Match == nil {
				bad(field+".match", "is required")
			} else {
				m, err := compileMatch(*sy.Match)
				if err != nil {
					bad(field+".match", "%w", err)
				}
				if m.empty() {
					bad(field+".match", "matches every alert; name detections, tactics or techniques")
				}
				st.Match = m
			}
			r.Steps = append(r.Steps, st)
		}
		if r.Threshold != 0 || r.Distinct != "" || r.MinAlerts != 0 || r.MinDetections != 0 {
			bad("threshold", "threshold, distinct, min_alerts and min_detections do not apply to sequence rules")
		}
	case KindThreshold, KindEntity, KindRisk:
		if len(ry.Steps) > 0 {
			bad("steps", "only sequence rules have steps")
		}
		if r.Span != 0 {
			bad("span", "only sequence rules have a span; use window")
		}
		if r.Window <= 0 {
			bad("window", "must be > 0")
		}
		if r.Hop == 0 {
			r.Hop = r.Window / 2
			if r.Window%2 != 0 || r.Hop == 0 {
				r.Hop = r.Window
			}
		}
		if r.Hop < 0 || r.Hop > r.Window || (r.Hop > 0 && r.Window%r.Hop != 0) {
			bad("hop", "must divide window (%s), got %s", r.Window, r.Hop)
		} else if r.Hop > 0 && r.Window/r.Hop > 16 {
			bad("hop", "window/hop must be at most 16, got %d", r.Window/r.Hop)
		}
		var my matchYAML
		if ry.Match != nil {
			my = *ry.Match
		}
		if r.Kind == KindEntity && my.Signal == nil {
			f := false
			my.Signal = &f // entity incidents are built from alerts analysts see
		}
		m, err := compileMatch(my)
		if err != nil {
			bad("match", "%w", err)
		}
		r.Match = m
		switch r.Kind {
		case KindThreshold:
			if r.Threshold < 1 {
				bad("threshold", "must be >= 1")
			}
			if r.Distinct != "" && r.Distinct != DistinctDetection && !validKeyPart(r.Distinct) {
				bad("distinct", "unknown %q (an entity kind, detection or field:<name>)", r.Distinct)
			}
			if r.MinAlerts != 0 || r.MinDetections != 0 {
				bad("min_alerts", "min_alerts and min_detections apply to entity rules only")
			}
			if r.Match.empty() {
				bad("match", "matches every alert; name detections, tactics or techniques")
			}
		case KindRisk:
			if r.Threshold < 1 {
				bad("threshold", "must be >= 1 (the risk score sum)")
			}
			if r.Distinct != "" || r.MinAlerts != 0 {
				bad("distinct", "distinct and min_alerts do not apply to risk rules")
			}
			if r.MinDetections < 0 {
				bad("min_detections", "must be >= 0")
			}
		case KindEntity:
			if r.Threshold != 0 || r.Distinct != "" {
				bad("threshold", "entity rules use min_alerts and min_detections")
			}
			if r.MinAlerts == 0 {
				r.MinAlerts = 2
			}
			if r.MinDetections == 0 {
				r.MinDetections = 1
			}
			if r.MinAlerts < 1 || r.MinDetections < 1 {
				bad("min_alerts", "min_alerts and min_detections must be >= 1")
			}
		}
	}
	if len(errs) > 0 {
		return Rule{}, errors.Join(errs...)
	}
	return r, nil
}

func hasDup(s []string) bool {
	for i := range s {
		if slices.Contains(s[i+1:], s[i]) {
			return true
		}
	}
	return false
}

func compileMatch(my matchYAML) (Match, error) {
	m := Match{Signal: my.Signal}
	var errs []error
	for _, d := range my.Detections {
		if d == "" {
			errs = append(errs, errors.New("detections: empty entry"))
			continue
		}
		if strings.ContainsAny(d, "*?[") {
			if _, err := path.Match(d, ""); err != nil {
				errs = append(errs, fmt.Errorf("detections: pattern %q: %w", d, err))
				continue
			}
			m.globs = append(m.globs, d)
			if m.cache == nil {
				m.cache = &globCache{}
			}
		} else {
			if m.exact == nil {
				m.exact = map[string]struct{}{}
			}
			m.exact[d] = struct{}{}
		}
		m.Detections = append(m.Detections, d)
	}
	for _, t := range my.Tactics {
		m.Tactics = append(m.Tactics, normTactic(t))
	}
	for _, t := range my.Techniques {
		t = strings.ToUpper(strings.TrimSpace(t))
		if _, err := path.Match(t, ""); err != nil {
			errs = append(errs, fmt.Errorf("techniques: pattern %q: %w", t, err))
			continue
		}
		m.Techniques = append(m.Techniques, t)
	}
	if my.MinSeverity != "" {
		s, ok := event.ParseSeverity(my.MinSeverity)
		if !ok {
			errs = append(errs, fmt.Errorf("min_severity: unknown severity %q", my.MinSeverity))
		}
		m.MinSeverity = s
	}
	return m, errors.Join(errs...)
}

func (m *Match) empty() bool {
	return len(m.Detections) == 0 && len(m.Tactics) == 0 && len(m.Techniques) == 0
}

func normTactic(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	return strings.NewReplacer(" ", "-", "_", "-").Replace(t)
}

// Matches reports whether the alert satisfies every condition of m.
func (m *Match) Matches(a *event.Alert) bool {
	return m.match(a.Signal, a.Severity, a.DetectionID, a.Tactics, a.Techniques)
}

func (m *Match) matchesRec(a *alertRec) bool {
	return m.match(a.signal, a.severity, a.detection, a.tactics, a.techniques)
}

func (m *Match) match(signal bool, sev event.Severity, detection string, tactics, techniques []string) bool {
	if m.Signal != nil && signal != *m.Signal {
		return false
	}
	if sev < m.MinSeverity {
		return false
	}
	if len(m.Detections) > 0 && !m.matchDetection(detection) {
		return false
	}
	if len(m.Tactics) > 0 && !anyTactic(m.Tactics, tactics) {
		return false
	}
	if len(m.Techniques) > 0 && !anyTechnique(m.Techniques, techniques) {
		return false
	}
	return true
}

func (m *Match) matchDetection(id string) bool {
	if _, ok := m.exact[id]; ok {
		return true
	}
	if len(m.globs) == 0 {
		return false
	}
	if m.cache != nil {
		if v, ok := m.cache.m.Load(id); ok {
			return v.(bool)
		}
	}
	hit := false
	for _, g := range m.globs {
		if ok, _ := path.Match(g, id); ok {
			hit = true
			break
		}
	}
	if m.cache != nil && m.cache.n.Load() < maxGlobCache {
		if _, loaded := m.cache.m.LoadOrStore(id, hit); !loaded {
			m.cache.n.Add(1)
		}
	}
	return hit
}

func anyTactic(want, have []string) bool {
	for _, h := range have {
		h = normTactic(h)
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

func anyTechnique(want, have []string) bool {
	for _, h := range have {
		h = strings.ToUpper(h)
		for _, w := range want {
			if w == h || strings.HasPrefix(h, w+".") {
				return true
			}
			if ok, _ := path.Match(w, h); ok {
				return true
			}
		}
	}
	return false
}

// Matches reports whether the alert is input to the rule: for sequences,
// whether it matches any step.
func (r *Rule) Matches(a *event.Alert) bool {
	if r.Kind == KindSequence {
		for i := range r.Steps {
			if r.Steps[i].Match.Matches(a) {
				return true
			}
		}
		return false
	}
	return r.Match.Matches(a)
}

// Keys returns the correlation keys of the alert under the rule, or nil when
// the alert does not match or lacks a group_by part. An alert with several
// values for a part (two ips) yields one key per combination, at most 16.
// The tenant is not part of the returned string; it is always added.
func (r *Rule) Keys(a *event.Alert) []string {
	if !r.Matches(a) {
		return nil
	}
	return groupKeys(r.GroupBy, a)
}

func groupKeys(groupBy []string, a *event.Alert) []string {
	// Common case: one part, one value.
	if len(groupBy) == 1 {
		var keys []string
		forEachValue(a.DetectionID, a.Entities, a.Fields, groupBy[0], func(v string) bool {
			keys = append(keys, groupBy[0]+"="+v)
			return len(keys) < maxKeysPerAlert
		})
		return keys
	}
	keys := []string{""}
	for i, part := range groupBy {
		var next []string
		forEachValue(a.DetectionID, a.Entities, a.Fields, part, func(v string) bool {
			for _, k := range keys {
				if i > 0 {
					k += ","
				}
				next = append(next, k+part+"="+v)
				if len(next) >= maxKeysPerAlert {
					return false
				}
			}
			return true
		})
		if len(next) == 0 {
			return nil
		}
		keys = next
	}
	return keys
}

// forEachValue calls fn for each distinct non-empty value of the part
// (entity kind, "detection" or field:<name>) until fn returns false.
func forEachValue(detection string, entities []event.Entity, fields map[string]string, part string, fn func(string) bool) {
	switch {
	case part == DistinctDetection:
		if detection != "" {
			fn(detection)
		}
	case strings.HasPrefix(part, fieldPrefix):
		if v := fields[part[len(fieldPrefix):]]; v != "" {
			fn(v)
		}
	default:
		ip, user := part == string(event.EntityIP), part == string(event.EntityUser)
		for i, e := range entities {
			if string(e.Kind) != part || e.Value == "" || (ip && !KeyableIP(e.Value)) || (user && !KeyableUser(e.Value)) {
				continue
			}
			dup := false
			for _, p := range entities[:i] {
				if p == e {
					dup = true
					break
				}
			}
			if !dup && !fn(e.Value) {
				return
			}
		}
	}
}

// KeyableIP reports whether an ip entity value can be a correlation key (or
// a distinct value): it names one machine or network across events. "-",
// loopback, unspecified, link-local, multicast and broadcast addresses do
// not: 127.0.0.1 in a Windows 4625 is "this host", whichever host logged it,
// so keys on them would group unrelated hosts and users. Values that are not
// addresses at all (a host name in an address field) are kept.
func KeyableIP(v string) bool {
	if v == "" || v == "-" {
		return false
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return true
	}
	a = a.Unmap()
	return !(a.IsLoopback() || a.IsUnspecified() || a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() ||
		a == netip.AddrFrom4([4]byte{255, 255, 255, 255}))
}

// sharedPrincipals are Windows service identities present on every host
// (compared lower-case, without an "NT AUTHORITY\" prefix).
var sharedPrincipals = map[string]bool{
	"-": true, "system": true, "localsystem": true, "local system": true,
	"local service": true, "localservice": true, "network service": true,
	"networkservice": true, "anonymous logon": true,
}

// KeyableUser reports whether a user entity value can be a correlation key.
// SYSTEM, LocalSystem, LOCAL SERVICE, NETWORK SERVICE, ANONYMOUS LOGON and
// "-" name no one: "user=LocalSystem" would join services installed on
// unrelated hosts into one incident. Host-level rules see those alerts.
func KeyableUser(v string) bool {
	if len(v) > 32 {
		return true
	}
	l := strings.ToLower(v)
	if _, name, ok := strings.Cut(l, `\`); ok && (strings.HasPrefix(l, "nt authority") || strings.HasPrefix(l, "nt-autorit")) {
		l = name
	}
	return !sharedPrincipals[l]
}

// parseKey splits a key built by groupKeys back into part → value.
func parseKey(key string) map[string]string {
	m := map[string]string{}
	for p := range strings.SplitSeq(key, ",") {
		if k, v, ok := strings.Cut(p, "="); ok {
			m[k] = v
		}
	}
	return m
}

// isStory reports whether the rule's incidents tell a story that roll-ups
// (SuppressIfCovered) defer to.
func (r *Rule) isStory() bool { return !r.SuppressIfCovered }

// storiesFirst returns the rules without SuppressIfCovered before those with
// it, each group in its original order: for every alert the stories run
// first, so that a roll-up sees the story the alert completed.
func storiesFirst(rules []Rule) []*Rule {
	out := make([]*Rule, 0, len(rules))
	for _, story := range []bool{true, false} {
		for i := range rules {
			if rules[i].isStory() == story {
				out = append(out, &rules[i])
			}
		}
	}
	return out
}

// maxSpan is the longest window or span of the rules.
func maxSpan(rules []Rule) time.Duration {
	var d time.Duration
	for i := range rules {
		d = max(d, rules[i].Window, rules[i].Span)
	}
	return d
}
