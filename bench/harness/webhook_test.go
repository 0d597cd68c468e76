package harness

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestReceiver(t *testing.T) {
	r := NewReceiver()
	defer r.Close()
	if !strings.HasPrefix(r.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %s is not on loopback", r.URL())
	}
	before := time.Now()
	body := `{"idempotency_key":"k1","kind":"declared","incident":{"id":"inc-1","tenant":"acme","rule":"r","version":3}}`
	req, _ := http.NewRequest(http.MethodPost, r.URL(), strings.NewReader(body))
	req.Header.Set("Idempotency-Key", "k1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	resp, err = http.Post(r.URL(), "text/plain", strings.NewReader("not json"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := r.Deliveries()
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want 2", len(got))
	}
	d := got[0]
	if d.IncidentID != "inc-1" || d.Kind != "declared" || d.Tenant != "acme" || d.Key != "k1" || d.Version != 3 {
		t.Errorf("delivery %+v", d)
	}
	if d.At.Before(before) || time.Since(d.At) > time.Minute {
		t.Errorf("arrival time %v", d.At)
	}
	if got[1].IncidentID != "" {
		t.Errorf("non-JSON body gave incident %q", got[1].IncidentID)
	}
	r.Reset()
	if len(r.Deliveries()) != 0 {
		t.Error("Reset kept deliveries")
	}
}
