// Package api serves vigil's HTTP API: incident reads from storage and
// lifecycle changes through escalate.Manager, behind bearer tokens with
// roles (viewer < analyst < admin).
//
// Every write leaves a timeline entry whose actor is the token's name.
// Bad input is answered 4xx with {"error": "..."} before anything is
// written.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigil-soc/vigil/escalate"
	"github.com/vigil-soc/vigil/event"
)

// Config configures the API.
type Config struct {
	// TokensFile is the YAML tokens file (see LoadTokens).
	TokensFile string `yaml:"tokens_file"`
	// MaxBodyBytes bounds request bodies (default 64 KiB).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxLimit bounds ?limit= (default 1000).
	MaxLimit int `yaml:"max_limit"`
	// Tokens are the accepted credentials (LoadTokens).
	Tokens []Token `yaml:"-"`
}

// IncidentFilter selects incidents to list; wiring adapts it to
// storage.IncidentFilter.
type IncidentFilter struct {
	Tenant      string
	Statuses    []event.Status
	MinSeverity event.Severity
	Limit       int
}

// Reader is the storage the API reads.
type Reader interface {
	ListIncidents(ctx context.Context, f IncidentFilter) ([]event.Incident, error)
	Incident(ctx context.Context, id string) (event.Incident, error)
	Alerts(ctx context.Context, ids []string) ([]event.Alert, error)
	Events(ctx context.Context, ids []string) ([]event.Event, error)
	Timeline(ctx context.Context, incidentID string) ([]event.TimelineEntry, error)
	// IncidentVersions returns every stored version, oldest first.
	IncidentVersions(ctx context.Context, id string) ([]event.Incident, error)
}

// Lifecycle is what the API asks of escalate.Manager.
type Lifecycle interface {
	Transition(ctx context.Context, id string, to event.Status, actor, reason string) (event.Incident, error)
	AddNote(ctx context.Context, id, actor, text string) (event.TimelineEntry, error)
	MarkCustomerNotified(ctx context.Context, id, actor, detail string) (event.TimelineEntry, error)
	Escalate(ctx context.Context, id string, level int, actor, reason string) ([]event.Delivery, error)
	Report(ctx context.Context, id string) (string, error)
	NotificationDraft(ctx context.Context, id string) (string, error)
}

var _ Lifecycle = (*escalate.Manager)(nil)

// Deps are the API's collaborators.
type Deps struct {
	Reader    Reader
	Lifecycle Lifecycle
	// Ready reports readiness for /readyz (nil: always ready).
	Ready func(ctx context.Context) error
	// Metrics serves /metrics; if nil it is built from Gatherer; if both
	// are nil /metrics is not served.
	Metrics  http.Handler
	Gatherer prometheus.Gatherer
	// IsNotFound recognises the Reader's not-found error (storage.ErrNotFound).
	IsNotFound func(error) bool
}

type server struct {
	cfg  Config
	deps Deps
	log  *slog.Logger
	reqs *prometheus.CounterVec
	dur  *prometheus.HistogramVec
}

// New returns the API handler.
func New(cfg Config, deps Deps, logger *slog.Logger, reg prometheus.Registerer) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	if cfg.MaxLimit <= 0 {
		cfg.MaxLimit = 1000
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if deps.IsNotFound == nil {
		deps.IsNotFound = func(error) bool { return false }
	}
	s := &server{cfg: cfg, deps: deps, log: logger,
		reqs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_api_requests_total", Help: "API requests by route and status code.",
		}, []string{"route", "code"}),
		dur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_api_request_duration_seconds", Help: "API request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	if reg != nil {
		reg.MustRegister(s.reqs, s.dur)
	}
	mux := http.NewServeMux()
	handle := func(pattern string, role Role, h func(http.ResponseWriter, *http.Request, Token)) {
		mux.Handle(pattern, s.instrument(pattern, s.auth(role, h)))
	}
	mux.Handle("GET /healthz", s.instrument("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})))
	mux.Handle("GET /readyz", s.instrument("GET /readyz", http.HandlerFunc(s.ready)))
	if m := deps.Metrics; m != nil || deps.Gatherer != nil {
		if m == nil {
			m = promhttp.HandlerFor(deps.Gatherer, promhttp.HandlerOpts{})
		}
		handle("GET /metrics", RoleViewer, func(w http.ResponseWriter, r *http.Request, _ Token) { m.ServeHTTP(w, r) })
	}
	handle("GET /api/v1/incidents", RoleViewer, s.list)
	handle("GET /api/v1/incidents/{id}", RoleViewer, s.get)
	handle("GET /api/v1/incidents/{id}/versions", RoleViewer, s.versions)
	handle("GET /api/v1/incidents/{id}/report", RoleViewer, s.report)
	handle("GET /api/v1/incidents/{id}/notification-draft", RoleAnalyst, s.draft)
	handle("POST /api/v1/incidents/{id}/transition", RoleAnalyst, s.transition)
	handle("POST /api/v1/incidents/{id}/notes", RoleAnalyst, s.note)
	handle("POST /api/v1/incidents/{id}/escalate", RoleAnalyst, s.escalate)
	handle("POST /api/v1/incidents/{id}/customer-notified", RoleAnalyst, s.customerNotified)
	return mux
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *server) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		s.reqs.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		s.dur.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

func (s *server) auth(need Role, h func(http.ResponseWriter, *http.Request, Token)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
			writeError(w, http.StatusUnauthorized, "bearer token required")
			return
		}
		tok, ok := authenticate(s.cfg.Tokens, strings.TrimSpace(secret))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigil", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid token")
			return
		}
		if tok.Role < need {
			writeError(w, http.StatusForbidden, fmt.Sprintf("role %s required (token %s is %s)", need, tok.Name, tok.Role))
			return
		}
		h(w, r, tok)
	})
}

func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	if s.deps.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.deps.Ready(ctx); err != nil {
			writeError(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *server) list(w http.ResponseWriter, r *http.Request, _ Token) {
	q := r.URL.Query()
	f := IncidentFilter{Limit: 100}
	for k, vs := range q {
		if len(vs) != 1 && k != "status" {
			writeError(w, http.StatusBadRequest, "parameter "+k+" given more than once")
			return
		}
		v := vs[0]
		switch k {
		case "tenant":
			f.Tenant = v
		case "status":
			for _, v := range vs {
				for _, st := range strings.Split(v, ",") {
					if !escalate.ValidStatus(event.Status(st)) {
						writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown status %q", st))
						return
					}
					f.Statuses = append(f.Statuses, event.Status(st))
				}
			}
		case "min_severity":
			sev, ok := event.ParseSeverity(v)
			if !ok {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown severity %q", v))
				return
			}
			f.MinSeverity = sev
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > s.cfg.MaxLimit {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("limit must be 1..%d", s.cfg.MaxLimit))
				return
			}
			f.Limit = n
		default:
			writeError(w, http.StatusBadRequest, "unknown parameter "+k)
			return
		}
	}
	incs, err := s.deps.Reader.ListIncidents(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if incs == nil {
		incs = []event.Incident{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": incs})
}

// IncidentDetail is the body of GET /api/v1/incidents/{id}.
type IncidentDetail struct {
	Incident event.Incident        `json:"incident"`
	Alerts   []event.Alert         `json:"alerts"`
	Events   []event.Event         `json:"events"`
	Timeline []event.TimelineEntry `json:"timeline"`
}

func (s *server) get(w http.ResponseWriter, r *http.Request, _ Token) {
	ctx := r.Context()
	id := r.PathValue("id")
	inc, err := s.deps.Reader.Incident(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := IncidentDetail{Incident: inc, Alerts: []event.Alert{}, Events: []event.Event{}, Timeline: []event.TimelineEntry{}}
	if as, err := s.deps.Reader.Alerts(ctx, inc.AlertIDs); err != nil {
		s.fail(w, r, err)
		return
	} else if as != nil {
		d.Alerts = as
	}
	evIDs := append([]string(nil), inc.EventIDs...)
	seen := map[string]bool{}
	for _, id := range evIDs {
		seen[id] = true
	}
	for _, a := range d.Alerts {
		for _, id := range a.EventIDs {
			if !seen[id] {
				seen[id] = true
				evIDs = append(evIDs, id)
			}
		}
	}
	if es, err := s.deps.Reader.Events(ctx, evIDs); err != nil {
		s.fail(w, r, err)
		return
	} else if es != nil {
		d.Events = es
	}
	if tl, err := s.deps.Reader.Timeline(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	} else if tl != nil {
		d.Timeline = tl
	}
	writeJSON(w, http.StatusOK, d)
}

// versions lists every version of an incident, oldest first: what was
// known when it was paged, declared or reported. An escalation message's
// incident.version names one of them.
func (s *server) versions(w http.ResponseWriter, r *http.Request, _ Token) {
	vs, err := s.deps.Reader.IncidentVersions(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, vs)
}

func (s *server) report(w http.ResponseWriter, r *http.Request, _ Token) {
	md, err := s.deps.Lifecycle.Report(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeMarkdown(w, md)
}

func (s *server) draft(w http.ResponseWriter, r *http.Request, _ Token) {
	md, err := s.deps.Lifecycle.NotificationDraft(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeMarkdown(w, md)
}

// TransitionRequest is the body of POST .../transition.
type TransitionRequest struct {
	To     event.Status `json:"to"`
	Reason string       `json:"reason"`
}

func (s *server) transition(w http.ResponseWriter, r *http.Request, tok Token) {
	var req TransitionRequest
	if !s.decode(w, r, &req) {
		return
	}
	if req.To == "" {
		writeError(w, http.StatusBadRequest, `"to" is required`)
		return
	}
	if !escalate.ValidStatus(req.To) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown status %q", req.To))
		return
	}
	if req.To == event.StatusDismissed && strings.TrimSpace(req.Reason) == "" {
		writeError(w, http.StatusBadRequest, "dismissing needs a reason")
		return
	}
	inc, err := s.deps.Lifecycle.Transition(r.Context(), r.PathValue("id"), req.To, tok.Name, req.Reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": inc})
}

// NoteRequest is the body of POST .../notes and .../customer-notified.
type NoteRequest struct {
	Text string `json:"text"`
}

func (s *server) note(w http.ResponseWriter, r *http.Request, tok Token) {
	var req NoteRequest
	if !s.decode(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		writeError(w, http.StatusBadRequest, `"text" is required`)
		return
	}
	e, err := s.deps.Lifecycle.AddNote(r.Context(), r.PathValue("id"), tok.Name, req.Text)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"entry": e})
}

func (s *server) customerNotified(w http.ResponseWriter, r *http.Request, tok Token) {
	var req NoteRequest
	if !s.decode(w, r, &req) {
		return
	}
	e, err := s.deps.Lifecycle.MarkCustomerNotified(r.Context(), r.PathValue("id"), tok.Name, req.Text)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"entry": e})
}

// EscalateRequest is the body of POST .../escalate.
type EscalateRequest struct {
	Level  int    `json:"level"`
	Reason string `json:"reason"`
}

func (s *server) escalate(w http.ResponseWriter, r *http.Request, tok Token) {
	var req EscalateRequest
	if !s.decode(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Reason) == "" {
		writeError(w, http.StatusBadRequest, `"reason" is required`)
		return
	}
	if req.Level < 0 {
		writeError(w, http.StatusBadRequest, `"level" must not be negative`)
		return
	}
	ds, err := s.deps.Lifecycle.Escalate(r.Context(), r.PathValue("id"), req.Level, tok.Name, req.Reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keys := make([]map[string]string, 0, len(ds))
	for _, d := range ds {
		keys = append(keys, map[string]string{"target": d.Target, "key": d.Key})
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"deliveries": keys})
}

// decode reads one JSON object, refusing unknown fields, trailing data and
// bodies over the limit.
func (s *server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "content type must be application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON object")
	} else if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", s.cfg.MaxBodyBytes))
		case errors.Is(err, io.EOF):
			writeError(w, http.StatusBadRequest, "empty body: a JSON object is required")
		default:
			writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		}
		return false
	}
	return true
}

// fail maps an error to a status; unexpected errors are logged and
// answered 500 without detail.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var te *escalate.TransitionError
	switch {
	case errors.As(err, &te):
		writeError(w, http.StatusConflict, te.Error())
	case errors.Is(err, escalate.ErrNotFound) || s.deps.IsNotFound(err):
		writeError(w, http.StatusNotFound, "incident not found")
	case errors.Is(err, escalate.ErrReasonRequired), errors.Is(err, escalate.ErrUnknownStatus), errors.Is(err, escalate.ErrNoLevel):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, escalate.ErrNotDeclared), errors.Is(err, escalate.ErrNoRoute):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, context.Canceled):
		writeError(w, 499, "request canceled")
	default:
		s.log.Error("api request", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func writeMarkdown(w http.ResponseWriter, md string) {
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = io.WriteString(w, md)
}
