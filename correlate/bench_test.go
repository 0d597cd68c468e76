package correlate

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/policies/correlations"
)

// BenchmarkCorrelator feeds the shipped rules a stream over 10,000 users,
// hosts and addresses (mostly failed sign-in and file signals, some
// detections), 100 alerts per Add, one alert per millisecond of event time.
func BenchmarkCorrelator(b *testing.B) {
	rules, err := LoadRules(correlations.FS, ".")
	if err != nil {
		b.Fatal(err)
	}
	const entities = 10_000
	dets := []struct {
		id     string
		signal bool
		tech   string
	}{
		{"okta-authentication-failed", true, "T1110.003"},
		{"entra-signin-failed", true, "T1110.003"},
		{"o365-sharepoint-file-downloaded", true, "T1530"},
		{"linux-ssh-login-failed", true, "T1110.001"},
		{"signin-from-watchlisted-country", false, "T1078"},
		{"windows-service-installed", false, "T1543.003"},
		{"windows-lsass-memory-access", false, "T1003.001"},
		{"aws-console-login-without-mfa", false, "T1078.004"},
	}
	const n = 1 << 16
	alerts := make([]event.Alert, n)
	for i := range alerts {
		d := dets[(i*7)%len(dets)]
		e := (i * 7919) % entities
		alerts[i] = event.Alert{
			ID: fmt.Sprintf("a%d", i), Tenant: "acme", DetectionID: d.id, Signal: d.signal,
			Severity: event.SeverityLow, Confidence: 50, RiskScore: 20, Count: 1,
			Techniques: []string{d.tech}, Tactics: []string{"TA0006"},
			Entities: []event.Entity{
				{Kind: event.EntityUser, Value: fmt.Sprintf("user%d", e)},
				{Kind: event.EntityHost, Value: fmt.Sprintf("host%d", e)},
				{Kind: event.EntityIP, Value: fmt.Sprintf("10.%d.%d.1", e/256, e%256)},
				{Kind: event.EntityCloudAccount, Value: fmt.Sprintf("acct%d", e%100)},
			},
			EventIDs: []string{fmt.Sprintf("e%d", i)},
		}
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c, err := New(Config{Rules: rules, Now: func() time.Time { return base.Add(24 * 365 * time.Hour) }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	incs := 0
	for i := 0; i < b.N; i += 100 {
		batch := make([]event.Alert, 0, 100)
		for j := i; j < i+100 && j < b.N; j++ {
			a := alerts[j%n]
			a.ID = fmt.Sprintf("a%d", j)
			a.Timestamp = base.Add(time.Duration(j) * time.Millisecond)
			batch = append(batch, a)
		}
		incs += len(c.Add(ctx, batch))
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
	b.ReportMetric(float64(len(c.keys)), "keys")
	b.ReportMetric(float64(incs)/float64(b.N), "incidents/alert")
	b.ReportMetric(value(b, c.m.records)/float64(b.N), "records/alert")
}
