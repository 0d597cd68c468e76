package gen

import (
	"fmt"
	"slices"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// Source names: the names the ingest parsers register under.
const (
	SourceCloudTrail = "aws.cloudtrail"
	SourceO365       = "o365.audit"
	SourceSignIn     = "azure.signinlogs"
	SourceOkta       = "okta.system"
	SourceWindows    = "windows"
	SourceSyslog     = "syslog"
	SourceZeek       = "zeek"
)

// AllSources lists every source the generator can produce.
var AllSources = []string{SourceCloudTrail, SourceO365, SourceSignIn, SourceOkta, SourceWindows, SourceSyslog, SourceZeek}

// Topics maps each source to the Kafka topic records of it are suggested to
// go to.
var Topics = map[string]string{
	SourceCloudTrail: "logs.cloudtrail",
	SourceO365:       "logs.o365",
	SourceSignIn:     "logs.signin",
	SourceOkta:       "logs.okta",
	SourceWindows:    "logs.windows",
	SourceSyslog:     "logs.syslog",
	SourceZeek:       "logs.zeek",
}

// Config controls a Generator. The zero value of every field has a default.
type Config struct {
	// Seed fixes the stream: the same Config gives a byte-identical stream.
	Seed int64
	// Tenants names the tenants; default ["acme", "globex"]. Each gets its
	// own users, hosts, AWS account and Entra tenant.
	Tenants []string
	// Start is the event time of the first record; default
	// 2024-05-06T08:00:00Z (a fixed time, so that streams stay deterministic).
	Start time.Time
	// EventsPerSecondOfEventTime is the density of noise in event time:
	// records per second of the timestamps they carry; default 100. It does
	// not limit how fast records are produced.
	EventsPerSecondOfEventTime float64
	// Noise turns background noise on. Without noise the stream is the
	// scenarios alone, back to back.
	Noise bool
	// Scenarios names the scenarios to inject; nil means all, an empty
	// non-nil slice means none. Scenarios needing a source not in Sources
	// are left out.
	Scenarios []string
	// Sources names the sources to produce; nil or empty means all.
	Sources []string
	// ScenarioEvery is how many noise records separate two scenario
	// injections; default 20000. The first scenario is injected after
	// min(ScenarioEvery, 1000) noise records.
	ScenarioEvery int
	// ScenarioSpeedup plays scenarios that many times faster in event time
	// than their descriptions say (a 10-minute chain takes a minute at 10);
	// values below 1 mean 1. A live-rate run of a minute cannot otherwise
	// see a chain to its end, or the incident it should escalate.
	ScenarioSpeedup float64
}

// Record is one generated message in its source's native format.
type Record struct {
	Source   string    // parser source name, e.g. "aws.cloudtrail"
	Topic    string    // suggested Kafka topic, e.g. "logs.cloudtrail"
	Tenant   string    // tenant name from Config.Tenants
	Key      []byte    // suggested Kafka key: tenant "/" principal entity
	Value    []byte    // the native record: one JSON object, or one syslog line without newline
	Time     time.Time // event time
	Scenario string    // scenario name; "" for noise
	Step     string    // scenario step; "" for noise
}

// Expectation is what a correct pipeline must find for one injected
// scenario instance.
type Expectation struct {
	Scenario     string         `json:"scenario"`
	Tenant       string         `json:"tenant"`
	Instance     int            `json:"instance"` // 1 for the first injection of any scenario, then 2, ...
	Behaviours   []string       `json:"behaviours"`
	Entities     []event.Entity `json:"entities"`
	MinIncidents int            `json:"min_incidents"`
	Start        time.Time      `json:"start"` // event time of the first record
	End          time.Time      `json:"end"`   // event time of the last record
	Records      int            `json:"records"`
}

// Generator produces a deterministic stream of Records. It is not safe for
// concurrent use.
type Generator struct {
	cfg     Config
	r       rng
	tenants []*tenant
	every   int64

	noiseSrc []noiseFunc
	noiseCum []int

	scen    []*Scenario
	scenIdx int
	tenIdx  int

	now        int64 // event time of the next noise record, unix nanos
	step       float64
	noiseCount int64
	nextInject int64

	pending  pendingHeap
	seq      uint64
	insts    []*instance
	expected []Expectation

	e enc // scratch encoder; Value is copied out of it
}

type noiseFunc func(g *Generator, t *tenant, ts time.Time) Record

type instance struct {
	exp       Expectation
	remaining int
	done      bool
}

type pending struct {
	rec  Record
	at   int64
	seq  uint64
	inst *instance
}

// New returns a Generator for cfg, filling in defaults.
func New(cfg Config) *Generator {
	if len(cfg.Tenants) == 0 {
		cfg.Tenants = []string{"acme", "globex"}
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)
	}
	cfg.Start = cfg.Start.UTC()
	if cfg.EventsPerSecondOfEventTime <= 0 {
		cfg.EventsPerSecondOfEventTime = 100
	}
	if cfg.ScenarioEvery <= 0 {
		cfg.ScenarioEvery = 20000
	}
	cfg.ScenarioSpeedup = max(cfg.ScenarioSpeedup, 1)
	if len(cfg.Sources) == 0 {
		cfg.Sources = AllSources
	}
	g := &Generator{cfg: cfg, r: newRNG(cfg.Seed), every: int64(cfg.ScenarioEvery)}
	g.now = cfg.Start.UnixNano()
	g.step = 1e9 / cfg.EventsPerSecondOfEventTime
	g.nextInject = min(g.every, 1000)
	for i, name := range cfg.Tenants {
		g.tenants = append(g.tenants, newTenant(name, i, g.r.fork()))
	}
	var weights []int
	for _, ns := range noiseSources {
		if slices.Contains(cfg.Sources, ns.source) {
			g.noiseSrc = append(g.noiseSrc, ns.fn)
			weights = append(weights, ns.weight)
		}
	}
	if len(weights) > 0 {
		g.noiseCum = cumulative(weights...)
	}
	for i := range scenarioDefs {
		s := &scenarioDefs[i]
		if cfg.Scenarios != nil && !slices.Contains(cfg.Scenarios, s.Name) {
			continue
		}
		ok := true
		for _, src := range s.Sources {
			ok = ok && slices.Contains(cfg.Sources, src)
		}
		if ok {
			g.scen = append(g.scen, s)
		}
	}
	return g
}

// Next returns the next record in event-time order. Without noise and
// without scenarios it returns the zero Record.
func (g *Generator) Next() Record {
	noise := g.cfg.Noise && len(g.noiseSrc) > 0
	if !noise {
		if len(g.pending) == 0 {
			if len(g.scen) == 0 {
				return Record{}
			}
			g.inject(g.now)
		}
		p := g.pending.pop()
		g.now = max(g.now, p.at+int64(time.Minute))
		return g.emit(p)
	}
	if g.noiseCount >= g.nextInject && len(g.scen) > 0 {
		g.inject(g.now)
		g.nextInject += g.every
	}
	if len(g.pending) > 0 && g.pending[0].at <= g.now {
		return g.emit(g.pending.pop())
	}
	t := g.tenants[g.r.intn(len(g.tenants))]
	fn := g.noiseSrc[weighted(&g.r, g.noiseCum)]
	rec := fn(g, t, time.Unix(0, g.now).UTC())
	rec.Tenant = t.name
	g.noiseCount++
	g.now += int64(g.step * (0.5 + g.r.float()))
	return rec
}

func (g *Generator) emit(p pending) Record {
	if p.inst != nil {
		p.inst.remaining--
		if p.inst.remaining == 0 && !p.inst.done {
			p.inst.done = true
			g.expected = append(g.expected, p.inst.exp)
		}
	}
	return p.rec
}

// Generate returns the next n records (fewer only if Next returns the
// zero Record).
func (g *Generator) Generate(n int) []Record {
	out := make([]Record, 0, n)
	for range n {
		r := g.Next()
		if r.Value == nil {
			break
		}
		out = append(out, r)
	}
	return out
}

// Expected returns the expectations of every scenario instance whose
// records have all been returned by Next, in the order they completed.
func (g *Generator) Expected() []Expectation {
	return slices.Clone(g.expected)
}

// Injected returns the expectations of every scenario instance injected so
// far, including those with records still to come.
func (g *Generator) Injected() []Expectation {
	out := make([]Expectation, len(g.insts))
	for i, in := range g.insts {
		out[i] = in.exp
	}
	return out
}

// inject schedules the next scenario (round robin over scenarios, tenants
// advancing each full round) to start just after event time at.
func (g *Generator) inject(at int64) {
	s := g.scen[g.scenIdx]
	t := g.tenants[(g.tenIdx+g.scenIdx)%len(g.tenants)]
	g.scenIdx++
	if g.scenIdx == len(g.scen) {
		g.scenIdx = 0
		g.tenIdx++
	}
	b := &scenarioBuilder{g: g, t: t, start: time.Unix(0, at).UTC().Add(time.Second), scenario: s.Name}
	s.build(b)
	if len(b.recs) == 0 {
		return
	}
	in := &instance{remaining: len(b.recs)}
	in.exp = Expectation{
		Scenario:     s.Name,
		Tenant:       t.name,
		Instance:     len(g.insts) + 1,
		Behaviours:   slices.Clone(s.Expected.Behaviours),
		Entities:     b.entities,
		MinIncidents: s.Expected.MinIncidents,
		Records:      len(b.recs),
	}
	first, last := b.recs[0].Time, b.recs[0].Time
	for _, r := range b.recs {
		first = minTime(first, r.Time)
		last = maxTime(last, r.Time)
		g.seq++
		g.pending.push(pending{rec: r, at: r.Time.UnixNano(), seq: g.seq, inst: in})
	}
	in.exp.Start, in.exp.End = first, last
	g.insts = append(g.insts, in)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// finish copies the scratch encoder's document out as a Record.
func (g *Generator) finish(source string, t *tenant, ts time.Time, keyEntity string) Record {
	v := make([]byte, len(g.e.b))
	copy(v, g.e.b)
	k := make([]byte, 0, len(t.name)+1+len(keyEntity))
	k = append(append(append(k, t.name...), '/'), keyEntity...)
	return Record{Source: source, Topic: Topics[source], Tenant: t.name, Key: k, Value: v, Time: ts}
}

// begin resets the scratch encoder.
func (g *Generator) begin() *enc {
	g.e.b = g.e.b[:0]
	g.e.comma = false
	return &g.e
}

// pendingHeap is a binary min-heap on (at, seq).
type pendingHeap []pending

func (h pendingHeap) less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}

func (h *pendingHeap) push(p pending) {
	*h = append(*h, p)
	s := *h
	i := len(s) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !s.less(i, parent) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (h *pendingHeap) pop() pending {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s[n] = pending{}
	s = s[:n]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && s.less(l, m) {
			m = l
		}
		if r < n && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// String describes an expectation for logs and test failures.
func (e Expectation) String() string {
	return fmt.Sprintf("%s#%d tenant=%s behaviours=%v entities=%v", e.Scenario, e.Instance, e.Tenant, e.Behaviours, e.Entities)
}

// TenantInfo is how a tenant appears inside the native records, for
// mapping source-specific tenant identifiers to tenant names.
type TenantInfo struct {
	Name          string `json:"name"`            // as in Config.Tenants and Record.Tenant
	Domain        string `json:"domain"`          // e-mail / UPN domain
	EntraTenantID string `json:"entra_tenant_id"` // tenantId of sign-in logs, OrganizationId of O365 records
	AWSAccountID  string `json:"aws_account_id"`  // recipientAccountId of CloudTrail records
	ADDomain      string `json:"ad_domain"`       // NetBIOS domain of Windows events
	InternalNet   string `json:"internal_net"`    // prefix of internal addresses, e.g. "10.10."
}

// Tenants describes the generator's tenants.
func (g *Generator) Tenants() []TenantInfo {
	out := make([]TenantInfo, len(g.tenants))
	for i, t := range g.tenants {
		out[i] = TenantInfo{Name: t.name, Domain: t.domain, EntraTenantID: t.orgID, AWSAccountID: t.awsAccount, ADDomain: t.adDomain, InternalNet: t.net}
	}
	return out
}
