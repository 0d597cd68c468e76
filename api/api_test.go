package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-soc/vigil/escalate"
	"github.com/vigil-soc/vigil/escalate/escalatetest"
	"github.com/vigil-soc/vigil/event"
)

// memReader adapts the in-memory store to Reader.
type memReader struct{ *escalatetest.Store }

func (m memReader) ListIncidents(ctx context.Context, f IncidentFilter) ([]event.Incident, error) {
	return m.Store.ListIncidents(ctx, escalatetest.Filter{Tenant: f.Tenant, Statuses: f.Statuses, MinSeverity: f.MinSeverity, Limit: f.Limit})
}

var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

type fixture struct {
	srv   *httptest.Server
	store *escalatetest.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cfg, err := escalate.ParseConfig([]byte(`
targets: [{name: soc, type: webhook, url: "http://127.0.0.1:1/"}]
routes: [{name: all, chain: [{targets: [soc]}]}]
`))
	if err != nil {
		t.Fatal(err)
	}
	st := escalatetest.New()
	isNF := func(err error) bool { return errors.Is(err, escalatetest.ErrNotFound) }
	mg, err := escalate.NewManager(context.Background(), cfg, st, escalate.Options{Now: func() time.Time { return t0 }, IsNotFound: isNF})
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := ParseTokensEnv("val:viewer:view-token,ana:analyst:ana-token,root:admin:admin:with:colons")
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	h := New(Config{Tokens: tokens, MaxBodyBytes: 1024}, Deps{
		Reader: memReader{st}, Lifecycle: mg, IsNotFound: isNF, Gatherer: reg,
		Ready: func(context.Context) error { return nil },
	}, nil, reg)
	f := &fixture{srv: httptest.NewServer(h), store: st}
	t.Cleanup(f.srv.Close)
	inc := event.Incident{ID: "inc-1", Tenant: "acme", Title: "Mailbox takeover", Severity: event.SeverityHigh,
		Status: event.StatusTriage, Version: 1, CreatedAt: t0, UpdatedAt: t0, AlertIDs: []string{"a1"}}
	st.AddAlerts(event.Alert{ID: "a1", Title: "Forwarding rule", EventIDs: []string{"e1"}})
	st.AddEvents(event.Event{Timestamp: t0, Event: event.Meta{ID: "e1", Action: "New-InboxRule"}})
	if err := st.WriteIncidents(context.Background(), []event.Incident{inc}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) do(t *testing.T, method, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAuth(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"health is open", "GET", "/healthz", "", "", 200},
		{"ready is open", "GET", "/readyz", "", "", 200},
		{"no token", "GET", "/api/v1/incidents", "", "", 401},
		{"wrong token", "GET", "/api/v1/incidents", "nope", "", 401},
		{"viewer reads", "GET", "/api/v1/incidents", "view-token", "", 200},
		{"viewer reads one", "GET", "/api/v1/incidents/inc-1", "view-token", "", 200},
		{"viewer report", "GET", "/api/v1/incidents/inc-1/report", "view-token", "", 200},
		{"viewer versions", "GET", "/api/v1/incidents/inc-1/versions", "view-token", "", 200},
		{"versions need a token", "GET", "/api/v1/incidents/inc-1/versions", "", "", 401},
		{"viewer metrics", "GET", "/metrics", "view-token", "", 200},
		{"metrics need a token", "GET", "/metrics", "", "", 401},
		{"viewer cannot write", "POST", "/api/v1/incidents/inc-1/notes", "view-token", `{"text":"x"}`, 403},
		{"viewer cannot draft", "GET", "/api/v1/incidents/inc-1/notification-draft", "view-token", "", 403},
		{"analyst writes", "POST", "/api/v1/incidents/inc-1/notes", "ana-token", `{"text":"looked at it"}`, 201},
		{"analyst drafts", "GET", "/api/v1/incidents/inc-1/notification-draft", "ana-token", "", 200},
		{"admin writes", "POST", "/api/v1/incidents/inc-1/notes", "admin:with:colons", `{"text":"me too"}`, 201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := f.do(t, tc.method, tc.path, tc.token, tc.body)
			if code != tc.want {
				t.Fatalf("%s %s: %d %s, want %d", tc.method, tc.path, code, body, tc.want)
			}
			if code >= 400 {
				var e struct{ Error string }
				if json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
					t.Fatalf("error body not {\"error\":...}: %s", body)
				}
			}
		})
	}
}

func TestMalformedRequests(t *testing.T) {
	f := newFixture(t)
	const tr = "/api/v1/incidents/inc-1/transition"
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"unknown field", "POST", tr, `{"to":"confirmed","reason":"x","force":true}`, 400},
		{"bad status", "POST", tr, `{"to":"pwned","reason":"x"}`, 400},
		{"missing to", "POST", tr, `{"reason":"x"}`, 400},
		{"dismiss without reason", "POST", tr, `{"to":"dismissed"}`, 400},
		{"not JSON", "POST", tr, `to=confirmed`, 400},
		{"empty body", "POST", tr, ``, 400},
		{"trailing data", "POST", tr, `{"to":"confirmed"} {"to":"closed"}`, 400},
		{"wrong type", "POST", tr, `{"to":5}`, 400},
		{"body too large", "POST", tr, `{"to":"confirmed","reason":"` + strings.Repeat("x", 2000) + `"}`, 413},
		{"invalid transition", "POST", tr, `{"to":"closed","reason":"done"}`, 409},
		{"unknown incident", "POST", "/api/v1/incidents/nope/transition", `{"to":"confirmed"}`, 404},
		{"empty note", "POST", "/api/v1/incidents/inc-1/notes", `{"text":"  "}`, 400},
		{"escalate without reason", "POST", "/api/v1/incidents/inc-1/escalate", `{"level":0}`, 400},
		{"escalate bad level", "POST", "/api/v1/incidents/inc-1/escalate", `{"level":7,"reason":"x"}`, 400},
		{"notified before declared", "POST", "/api/v1/incidents/inc-1/customer-notified", `{"text":"mail"}`, 409},
		{"bad min_severity", "GET", "/api/v1/incidents?min_severity=huge", "", 400},
		{"bad list status", "GET", "/api/v1/incidents?status=open", "", 400},
		{"bad limit", "GET", "/api/v1/incidents?limit=-1", "", 400},
		{"huge limit", "GET", "/api/v1/incidents?limit=100000", "", 400},
		{"unknown parameter", "GET", "/api/v1/incidents?sort=asc", "", 400},
		{"unknown incident read", "GET", "/api/v1/incidents/nope", "", 404},
		{"unknown incident report", "GET", "/api/v1/incidents/nope/report", "", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := f.do(t, tc.method, tc.path, "ana-token", tc.body)
			if code != tc.want {
				t.Fatalf("%d %s, want %d", code, body, tc.want)
			}
			var e struct{ Error string }
			if json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
				t.Fatalf("error body not {\"error\":...}: %s", body)
			}
		})
	}
	// None of that wrote anything.
	inc, _ := f.store.Incident(context.Background(), "inc-1")
	tl, _ := f.store.Timeline(context.Background(), "inc-1")
	if inc.Version != 1 || inc.Status != event.StatusTriage || len(tl) != 0 || len(f.store.Deliveries()) != 0 {
		t.Fatalf("bad requests wrote: version %d status %s, %d timeline entries, %d deliveries", inc.Version, inc.Status, len(tl), len(f.store.Deliveries()))
	}
}

func TestWritesAreAudited(t *testing.T) {
	f := newFixture(t)
	steps := []struct{ path, body string }{
		{"/api/v1/incidents/inc-1/transition", `{"to":"confirmed","reason":"phishing confirmed by user"}`},
		{"/api/v1/incidents/inc-1/escalate", `{"level":0,"reason":"need the on-call lead"}`},
		{"/api/v1/incidents/inc-1/customer-notified", `{"text":"email to security contact"}`},
		{"/api/v1/incidents/inc-1/transition", `{"to":"contained","reason":"sessions revoked"}`},
	}
	for _, s := range steps {
		if code, body := f.do(t, "POST", s.path, "ana-token", s.body); code >= 300 {
			t.Fatalf("%s: %d %s", s.path, code, body)
		}
	}
	tl, _ := f.store.Timeline(context.Background(), "inc-1")
	byAna := 0
	for _, e := range tl {
		if e.Actor == "ana" {
			byAna++
		}
	}
	// transition, manual escalation, customer notified, transition.
	if byAna != 4 {
		t.Fatalf("%d timeline entries by ana, want 4: %+v", byAna, tl)
	}
	code, body := f.do(t, "GET", "/api/v1/incidents?status=contained&min_severity=high&tenant=acme&limit=5", "view-token", "")
	var list struct{ Incidents []event.Incident }
	if code != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list.Incidents) != 1 || list.Incidents[0].Status != event.StatusContained {
		t.Fatalf("list: %d %s", code, body)
	}
	code, body = f.do(t, "GET", "/api/v1/incidents/inc-1", "view-token", "")
	var d IncidentDetail
	if code != 200 || json.Unmarshal([]byte(body), &d) != nil || len(d.Alerts) != 1 || len(d.Events) != 1 || len(d.Timeline) < 4 {
		t.Fatalf("detail: %d %s", code, body)
	}
	// Every version, oldest first: triage, confirmed, contained (the
	// customer notice and the manual escalation are timeline entries).
	code, body = f.do(t, "GET", "/api/v1/incidents/inc-1/versions", "view-token", "")
	var vs []event.Incident
	if code != 200 || json.Unmarshal([]byte(body), &vs) != nil {
		t.Fatalf("versions: %d %s", code, body)
	}
	var statuses []event.Status
	for i, v := range vs {
		if v.Version != uint64(i+1) {
			t.Errorf("versions[%d] is version %d", i, v.Version)
		}
		statuses = append(statuses, v.Status)
	}
	if len(vs) != 3 || statuses[0] != event.StatusTriage || statuses[1] != event.StatusConfirmed || statuses[len(vs)-1] != event.StatusContained {
		t.Fatalf("versions: statuses %v", statuses)
	}
	if code, _ := f.do(t, "GET", "/api/v1/incidents/nope/versions", "view-token", ""); code != 404 {
		t.Errorf("versions of an unknown incident: %d, want 404", code)
	}
}

func TestTokensFile(t *testing.T) {
	good := "tokens:\n  - {name: alice, role: analyst, sha256: " + HashToken("s3cret") + "}\n"
	ts, err := ParseTokensFile([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if tok, ok := authenticate(ts, "s3cret"); !ok || tok.Name != "alice" || tok.Role != RoleAnalyst {
		t.Fatalf("authenticate: %+v %v", tok, ok)
	}
	if _, ok := authenticate(ts, "s3cret2"); ok {
		t.Fatal("wrong secret accepted")
	}
	for name, bad := range map[string]string{
		"bad role":      "tokens: [{name: a, role: root, sha256: " + HashToken("x") + "}]",
		"short hash":    "tokens: [{name: a, role: viewer, sha256: abcd}]",
		"no name":       "tokens: [{role: viewer, sha256: " + HashToken("x") + "}]",
		"unknown field": "tokens: [{name: a, role: viewer, token: x}]",
	} {
		if _, err := ParseTokensFile([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, bad := range []string{"a:viewer", "a:boss:x", ":viewer:x", ","} {
		if _, err := ParseTokensEnv(bad); err == nil {
			t.Errorf("env %q accepted", bad)
		}
	}
}
