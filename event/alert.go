package event

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"sync"
	"time"
)

// Severity orders how bad a finding is. The zero value is unknown.
type Severity int

// Severities, lowest first.
const (
	SeverityUnknown Severity = iota
	SeverityInfo
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"unknown", "info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity maps a name (any case) to a Severity; ok is false for an
// unknown name.
func ParseSeverity(name string) (Severity, bool) {
	for i, n := range severityNames {
		if strings.EqualFold(n, name) {
			return Severity(i), true
		}
	}
	return SeverityUnknown, false
}

// MarshalText encodes the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a severity name; an unknown name is unknown.
func (s *Severity) UnmarshalText(b []byte) error {
	*s, _ = ParseSeverity(string(b))
	return nil
}

// EntityKind names what an entity is.
type EntityKind string

// Entity kinds correlation keys on.
const (
	EntityUser         EntityKind = "user"
	EntityHost         EntityKind = "host"
	EntityIP           EntityKind = "ip"
	EntityCloudAccount EntityKind = "cloud_account"
	EntityMailbox      EntityKind = "mailbox"
	EntityProcess      EntityKind = "process"
	EntityDomain       EntityKind = "domain"
	EntityFile         EntityKind = "file"
	EntityApplication  EntityKind = "application"
)

// Entity is one thing an alert or incident is about.
type Entity struct {
	Kind  EntityKind `json:"kind"`
	Value string     `json:"value"`
}

func (e Entity) String() string { return string(e.Kind) + ":" + e.Value }

// Alert is what a detection raises: one finding, or several identical
// findings within a suppression window folded into one with a Count.
type Alert struct {
	ID            string            `json:"id"`
	Tenant        string            `json:"tenant"`
	DetectionID   string            `json:"detection_id"`
	Title         string            `json:"title"`
	Description   string            `json:"description,omitempty"`
	Severity      Severity          `json:"severity"`
	Confidence    int               `json:"confidence"` // 0-100
	RiskScore     int               `json:"risk_score"` // 0-100
	Tactics       []string          `json:"tactics,omitempty"`
	Techniques    []string          `json:"techniques,omitempty"`
	Entities      []Entity          `json:"entities,omitempty"`
	Fields        map[string]string `json:"fields,omitempty"` // extra finding context from the rule
	EventIDs      []string          `json:"event_ids"`
	Origins       []Origin          `json:"origins,omitempty"`
	Dataset       string            `json:"dataset,omitempty"`
	Timestamp     time.Time         `json:"@timestamp"` // event time of the first event
	LastSeen      time.Time         `json:"last_seen"`  // event time of the latest folded event
	Count         int               `json:"count"`
	Signal        bool              `json:"signal,omitempty"` // a building block for correlation, not shown to analysts on its own
	PolicyVersion string            `json:"policy_version"`
	DetectedAt    time.Time         `json:"detected_at"`
}

// Entity returns the first entity of the kind, if any.
func (a *Alert) Entity(kind EntityKind) (string, bool) {
	for _, e := range a.Entities {
		if e.Kind == kind {
			return e.Value, true
		}
	}
	return "", false
}

// StableID derives an id from its parts: the same parts always give the same
// id, so that replays and restarts are idempotent. Parts are joined with a
// separator that cannot appear in them unescaped.
func StableID(prefix string, parts ...string) string {
	return StableIDOf(prefix, nil, parts...)
}

// StableIDOf is StableID over parts and then content, without copying
// content into a string. Every event gets an id this way, so the hash state
// and the buffer the parts are joined in are reused rather than allocated
// for each call.
func StableIDOf(prefix string, content []byte, parts ...string) string {
	x := idHashers.Get().(*idHasher)
	defer idHashers.Put(x)
	x.h.Reset()
	x.buf = x.buf[:0]
	for _, p := range parts {
		x.buf = append(x.buf, p...)
		x.buf = append(x.buf, 0)
	}
	x.h.Write(x.buf)
	x.h.Write(content)
	x.buf = x.h.Sum(x.buf[:0])
	var digits [2 * idBytes]byte
	hex.Encode(digits[:], x.buf[:idBytes])
	var b strings.Builder
	b.Grow(len(prefix) + len(digits))
	b.WriteString(prefix)
	b.Write(digits[:])
	return b.String()
}

// idBytes is how much of the SHA-256 digest an id keeps.
const idBytes = 12

type idHasher struct {
	h   hash.Hash
	buf []byte
}

var idHashers = sync.Pool{New: func() any { return &idHasher{h: sha256.New(), buf: make([]byte, 0, 256)} }}
