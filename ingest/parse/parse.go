package parse

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// Source names of the built-in parsers.
const (
	SourceCloudTrail = "aws.cloudtrail"
	SourceO365       = "o365.audit"
	SourceSignIn     = "azure.signinlogs"
	SourceOkta       = "okta.system"
	SourceWindows    = "windows"
	SourceSyslog     = "syslog"
	SourceZeek       = "zeek"
	SourceECS        = "ecs"

	// SourceAuto asks the Registry to detect the source from the record.
	SourceAuto = "auto"
)

// Reasons a record is refused; Error.Reason is always one of these.
const (
	ReasonUnparseable   = "unparseable"    // not valid JSON / not a log line of the source's format
	ReasonNoTimestamp   = "no_timestamp"   // no usable event time in the record
	ReasonOversized     = "oversized"      // larger than the Registry's MaxRecordBytes
	ReasonUnknownSource = "unknown_source" // no parser by that name, or detection failed
	ReasonInvalid       = "invalid"        // well-formed but not a record of the source
)

// DefaultMaxRecordBytes is the Registry's default record size limit.
const DefaultMaxRecordBytes = 1 << 20

// Record is one raw log record with its position.
type Record struct {
	Value     []byte
	Topic     string
	Partition int
	Offset    int64
	Time      time.Time // Kafka timestamp, used only as event.created
	// Tenant is the tenant configured for the topic. A record's own tenant
	// field wins when the source has one (see ingest/README.md).
	Tenant string
	File   string // when read from a file: file name and 1-based Line
	Line   int
	// Location is the time zone of timestamps the record writes without
	// an offset (RFC 3164 syslog, Windows TimeCreated/EventTime); nil
	// means the registry's (UTC unless WithSyslogLocation).
	Location *time.Location
}

// Error is a parse failure. Reason is one of the Reason constants.
type Error struct {
	Reason string
	Err    error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "parse: " + e.Reason
	}
	return "parse: " + e.Reason + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

func errorf(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// Parser turns records of one source into events. A record can yield many
// events (a CloudTrail {"Records":[...]} file). Append adds them to dst and
// returns the extended slice, so that a batch of records fills one slice
// instead of allocating a slice per record; on error it returns dst as it
// was.
type Parser interface {
	Source() string
	Append(dst []event.Event, rec Record) ([]event.Event, error)
}

// Option configures a Registry.
type Option func(*Registry)

// WithMaxRecordBytes sets the largest accepted record; larger records fail
// with ReasonOversized. n <= 0 keeps the default.
func WithMaxRecordBytes(n int) Option {
	return func(r *Registry) {
		if n > 0 {
			r.maxBytes = n
		}
	}
}

// WithClock sets the clock used where a record lacks part of its time (the
// year of an RFC 3164 syslog line when the record has no Kafka timestamp).
func WithClock(now func() time.Time) Option {
	return func(r *Registry) {
		if now != nil {
			r.now = now
		}
	}
}

// WithSyslogLocation sets the time zone of syslog timestamps that carry
// none (RFC 3164); the default is UTC.
func WithSyslogLocation(loc *time.Location) Option {
	return func(r *Registry) {
		if loc != nil {
			r.loc = loc
		}
	}
}

// WithParser adds a parser, replacing a built-in one of the same Source.
func WithParser(p Parser) Option {
	return func(r *Registry) { r.extra = append(r.extra, p) }
}

// Registry holds one parser per source.
type Registry struct {
	maxBytes int
	now      func() time.Time
	loc      *time.Location
	extra    []Parser
	parsers  map[string]Parser
	sources  []string
}

// NewRegistry returns a Registry with all built-in parsers.
func NewRegistry(opts ...Option) *Registry {
	r := &Registry{maxBytes: DefaultMaxRecordBytes, now: time.Now, loc: time.UTC}
	for _, o := range opts {
		o(r)
	}
	builtin := []Parser{
		jsonParser{source: SourceCloudTrail, fn: parseCloudTrail},
		jsonParser{source: SourceO365, fn: parseO365},
		jsonParser{source: SourceSignIn, fn: parseSignIn},
		jsonParser{source: SourceOkta, fn: parseOkta},
		jsonParser{source: SourceWindows, fn: parseWindows},
		jsonParser{source: SourceZeek, fn: parseZeek},
		ecsParser{},
		&syslogParser{now: r.now, loc: r.loc},
	}
	r.parsers = make(map[string]Parser, len(builtin)+len(r.extra))
	for _, p := range append(builtin, r.extra...) {
		r.parsers[p.Source()] = p
	}
	for s := range r.parsers {
		r.sources = append(r.sources, s)
	}
	slices.Sort(r.sources)
	return r
}

// Sources lists the registered source names, sorted.
func (r *Registry) Sources() []string { return slices.Clone(r.sources) }

// MaxRecordBytes is the record size limit.
func (r *Registry) MaxRecordBytes() int { return r.maxBytes }

// Parse parses rec as a record of source. The source "" or "auto" detects
// the source from the record's shape.
func (r *Registry) Parse(source string, rec Record) ([]event.Event, error) {
	return r.Append(nil, source, rec)
}

// Append is Parse adding the events to dst: it returns dst extended, or dst
// as it was with the error.
func (r *Registry) Append(dst []event.Event, source string, rec Record) ([]event.Event, error) {
	if len(rec.Value) > r.maxBytes {
		return dst, errorf(ReasonOversized, "record of %d bytes exceeds %d", len(rec.Value), r.maxBytes)
	}
	if source == "" || source == SourceAuto {
		b := trimSpace(rec.Value)
		if len(b) > 0 && b[0] == '{' {
			// Parse once: detect on the value and hand it to the parser.
			jp := parsers.Get()
			defer parsers.Put(jp)
			v, err := jp.ParseBytes(b)
			if err != nil {
				return dst, &Error{Reason: ReasonUnparseable, Err: err}
			}
			source = detectValue(v)
			if source == "" {
				return dst, errorf(ReasonUnknownSource, "cannot detect source of JSON record")
			}
			if p, ok := r.parsers[source].(jsonParser); ok {
				return p.fn(dst, newRecordText(string(rec.Value), v), v, rec)
			}
		} else {
			d, ok := DetectSource(b)
			if !ok {
				return dst, errorf(ReasonUnknownSource, "cannot detect source")
			}
			source = d
		}
	}
	p, ok := r.parsers[source]
	if !ok {
		return dst, errorf(ReasonUnknownSource, "no parser for source %q", source)
	}
	return p.Append(dst, rec)
}

// base returns an event with the fields every parser sets the same way.
func base(rec Record, original, module, dataset string) event.Event {
	var e event.Event
	e.Event.Kind = "event"
	e.Event.Module = module
	e.Event.Dataset = dataset
	e.Event.Original = original
	e.Event.Created = rec.Time
	e.Organization.ID = rec.Tenant
	e.Origin = event.Origin{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset, File: rec.File, Line: rec.Line}
	return e
}

// positionID is the id of an event whose source has no id of its own:
// where the record was read and the record itself. A replay reads the same
// bytes at the same place and gets the same id; a topic deleted and created
// again, or a file rewritten, puts other records at the same places, and
// their events must not take the ids of the events stored before.
func positionID(source string, rec Record, index int) string {
	if rec.File != "" {
		return event.StableIDOf("ev-", rec.Value, source, "file", rec.File, strconv.Itoa(rec.Line), strconv.Itoa(index))
	}
	return event.StableIDOf("ev-", rec.Value, source, rec.Topic, strconv.Itoa(rec.Partition),
		strconv.FormatInt(rec.Offset, 10), strconv.Itoa(index))
}

// sourceID namespaces a source's own id.
func sourceID(source string, parts ...string) string {
	return event.StableID("ev-", append([]string{source}, parts...)...)
}

func trimSpace(b []byte) []byte { return bytes.TrimSpace(b) }

var errEmpty = errors.New("empty record")
