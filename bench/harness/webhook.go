package harness

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Delivery is one webhook request the Receiver accepted.
type Delivery struct {
	At         time.Time // when the request body had been read
	Key        string    // idempotency key header
	Kind       string
	IncidentID string
	Tenant     string
	Rule       string
	Version    uint64 // the incident version the delivery was decided on
}

// Receiver is a local webhook endpoint (127.0.0.1, random port) that
// records when each escalation arrived. It answers 200 to any POST.
type Receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []Delivery
	now func() time.Time
}

// NewReceiver starts a Receiver; Close stops it.
func NewReceiver() *Receiver {
	r := &Receiver{now: time.Now}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

// URL is the address to configure as a webhook target.
func (r *Receiver) URL() string { return r.srv.URL + "/escalations" }

// Close stops the server.
func (r *Receiver) Close() { r.srv.Close() }

// Deliveries returns what arrived so far, in arrival order.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.got...)
}

// Reset forgets what arrived.
func (r *Receiver) Reset() {
	r.mu.Lock()
	r.got = nil
	r.mu.Unlock()
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
	at := r.now()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var msg struct {
		Kind     string `json:"kind"`
		Incident struct {
			ID      string `json:"id"`
			Tenant  string `json:"tenant"`
			Rule    string `json:"rule"`
			Version uint64 `json:"version"`
		} `json:"incident"`
	}
	_ = json.Unmarshal(body, &msg) // an unknown body still counts as a delivery
	d := Delivery{
		At: at, Key: req.Header.Get("Idempotency-Key"), Kind: msg.Kind,
		IncidentID: msg.Incident.ID, Tenant: msg.Incident.Tenant, Rule: msg.Incident.Rule,
		Version: msg.Incident.Version,
	}
	r.mu.Lock()
	r.got = append(r.got, d)
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}
