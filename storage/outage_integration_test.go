package storage

import (
	"context"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigil-soc/vigil/event"
)

// cutProxy forwards TCP connections to a server until cut: then it drops
// every open connection and closes new ones at once, as a server that went
// away would, until restored. The shared test server cannot be stopped, so
// the outage is made between the client and the server.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.setCut(true)
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

func (p *cutProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		pipe := func(dst, src net.Conn) {
			defer p.wg.Done()
			_, _ = io.Copy(dst, src)
			dst.Close()
			src.Close()
		}
		go pipe(up, c)
		go pipe(c, up)
	}
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// TestOutage streams events while the server is unreachable for 30 s
// (VIGIL_OUTAGE_SECONDS): writers block (no call returns during the
// outage, the queue stays bounded), the batchers retry with backoff, and
// after the outage everything acknowledged is stored exactly once, without
// any restart. Skipped with -short.
func TestOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("30 s outage test: skipped with -short")
	}
	env := testEnv(t)
	outage := 30 * time.Second
	if v, err := strconv.Atoi(os.Getenv("VIGIL_OUTAGE_SECONDS")); err == nil && v > 0 {
		outage = time.Duration(v) * time.Second
	}
	proxy := newCutProxy(t, env.Addr)
	reg := prometheus.NewRegistry()
	db := env.Database(t)
	ctx, cancel := context.WithTimeout(context.Background(), outage+3*time.Minute)
	defer cancel()
	s, err := Open(ctx, Config{
		Addr: []string{proxy.addr()}, Database: db, Migrate: true, BatchRows: 200, QueueRows: 600,
		BatchWait: 50 * time.Millisecond, RetryBackoff: 100 * time.Millisecond, RetryBackoffMax: 2 * time.Second,
		DialTimeout: time.Second,
	}, testLogger(t), reg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	var (
		acked    atomic.Int64 // events whose WriteEvents returned nil
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		lastDone atomic.Int64 // unix nanos of the latest successful call
	)
	const writers, perCall = 4, 50
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for call := 0; ; call++ {
				select {
				case <-stop:
					return
				default:
				}
				evs := make([]event.Event, perCall)
				for i := range evs {
					evs[i] = sampleEvent(w*10_000_000+call*perCall+i, time.Now().UTC())
				}
				if err := s.WriteEvents(ctx, evs); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				acked.Add(perCall)
				lastDone.Store(time.Now().UnixNano())
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}

	time.Sleep(2 * time.Second)
	before := acked.Load()
	if before == 0 {
		t.Fatal("no writes before the outage")
	}
	t.Logf("%d events stored; cutting the connection for %s", before, outage)
	proxy.setCut(true)
	cutAt := time.Now()
	time.Sleep(outage)
	// Calls that returned during the outage must have been written before
	// it (at most one in-flight batch per table may complete at the cut).
	during := acked.Load()
	if time.Unix(0, lastDone.Load()).After(cutAt.Add(2 * time.Second)) {
		t.Errorf("a write returned %s into the outage", time.Unix(0, lastDone.Load()).Sub(cutAt))
	}
	depth := metricValue(s.m.queueDepth.WithLabelValues("events"))
	retries := metricValue(s.m.retries.WithLabelValues("events"))
	t.Logf("during the outage: %d more events acknowledged, queue %v rows, %v retries", during-before, depth, retries)
	if depth > 600 {
		t.Errorf("queue depth %v exceeds storage.queue_rows 600", depth)
	}
	if retries < 3 {
		t.Errorf("%v retries during a %s outage", retries, outage)
	}
	proxy.setCut(false)
	restored := time.Now()
	for acked.Load() <= during {
		if time.Since(restored) > time.Minute {
			t.Fatal("writes did not resume within a minute of the server coming back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("writes resumed %s after the server came back", time.Since(restored).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	total := acked.Load()
	if failures := metricValue(s.m.failures.WithLabelValues("events")); failures != 0 {
		t.Errorf("%v failed batches", failures)
	}
	n := count(t, s, "SELECT count() FROM `"+db+"`.events FINAL")
	if n != uint64(total) {
		t.Errorf("stored %d events, acknowledged %d", n, total)
	}
	t.Logf("%d events acknowledged, %d stored", total, n)
}

// metricValue reads a counter or gauge.
func metricValue(m prometheus.Metric) float64 {
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		return -1
	}
	if out.Counter != nil {
		return out.Counter.GetValue()
	}
	return out.Gauge.GetValue()
}
