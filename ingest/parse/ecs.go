package parse

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// ecsParser passes through JSON documents already in ECS form.
type ecsParser struct{}

func (ecsParser) Source() string { return SourceECS }

func (ecsParser) Append(dst []event.Event, rec Record) ([]event.Event, error) {
	b := trimSpace(rec.Value)
	if len(b) == 0 || b[0] != '{' {
		if len(b) > 0 && json.Valid(b) {
			return dst, errorf(ReasonInvalid, "ecs record is not a JSON object")
		}
		return dst, &Error{Reason: ReasonUnparseable, Err: errEmpty}
	}
	var e event.Event
	if err := json.Unmarshal(b, &e); err != nil {
		var se *json.SyntaxError
		var te *time.ParseError
		switch {
		case errors.As(err, &se) || !json.Valid(b):
			return dst, &Error{Reason: ReasonUnparseable, Err: err}
		case errors.As(err, &te):
			return dst, &Error{Reason: ReasonNoTimestamp, Err: err}
		}
		return dst, &Error{Reason: ReasonInvalid, Err: err}
	}
	if e.Timestamp.IsZero() {
		return dst, errorf(ReasonNoTimestamp, "ecs document without @timestamp")
	}
	for k := range e.Vendor {
		if k == "" {
			return dst, errorf(ReasonInvalid, "ecs document with an empty top-level key")
		}
	}
	if e.Event.ID == "" {
		e.Event.ID = positionID(SourceECS, rec, 0)
	}
	if e.Event.Kind == "" {
		e.Event.Kind = "event"
	}
	if e.Event.Module == "" {
		e.Event.Module = "ecs"
	}
	if e.Event.Dataset == "" {
		e.Event.Dataset = "ecs"
	}
	if e.Organization.ID == "" {
		e.Organization.ID = rec.Tenant
	}
	if !rec.Time.IsZero() {
		e.Event.Created = rec.Time
	}
	e.Event.Original = string(rec.Value)
	e.Origin = event.Origin{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset, File: rec.File, Line: rec.Line}
	// Document's own related.* entries are kept; ours are added.
	related(&e)
	return append(dst, e), nil
}
