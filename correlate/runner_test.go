package correlate

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigil-soc/vigil/event"
	"github.com/vigil-soc/vigil/internal/kafkagroup"
)

type flakySink struct {
	fail  int
	calls int
	got   []event.Incident
}

func (s *flakySink) Incidents(_ context.Context, incs []event.Incident) error {
	s.calls++
	if s.fail > 0 {
		s.fail--
		return errors.New("storage unavailable")
	}
	s.got = append(s.got, incs...)
	return nil
}

// TestRunnerRetriedBatch: a batch handed over again after the sink failed
// is not counted twice, and its incidents are delivered once it succeeds.
func TestRunnerRetriedBatch(t *testing.T) {
	rules := mustRules(t, testRules, "brute_then_success")
	msgs, err := Messages(rules, []event.Alert{
		al("f1", "okta.signin_failed", 0, "ip:1.1.1.1"),
		al("f2", "okta.signin_failed", time.Second, "ip:1.1.1.1"),
		al("f3", "okta.signin_failed", 2*time.Second, "ip:1.1.1.1"),
		al("s1", "okta.signin_success", 3*time.Second, "ip:1.1.1.1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range msgs {
		msgs[i].Offset = int64(i)
	}
	tests := []struct {
		name       string
		replay     bool
		emitReplay bool
		wantCalls  int
		wantIncs   int
	}{
		{"live batch, sink fails twice", false, false, 3, 1},
		{"replayed batch is suppressed", true, false, 0, 0},
		{"replayed batch emitted when asked", true, true, 3, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink := &flakySink{fail: 2}
			r, err := NewRunner(RunnerConfig{
				Correlator: Config{Rules: rules, Now: func() time.Time { return t0.Add(time.Hour) }},
				EmitReplay: tc.emitReplay,
			}, sink)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b := kafkagroup.Batch{Topic: "t", Partition: 0, Messages: msgs, Replay: tc.replay}
			for attempt := 0; attempt < 5; attempt++ {
				if err := r.HandleBatch(context.Background(), b); err == nil {
					break
				}
			}
			if sink.calls != tc.wantCalls || len(sink.got) != tc.wantIncs {
				t.Fatalf("sink calls %d incidents %d; want %d, %d", sink.calls, len(sink.got), tc.wantCalls, tc.wantIncs)
			}
			if tc.wantIncs > 0 && sink.got[0].Version != 4 {
				t.Fatalf("version %d, want 4 (each alert once)", sink.got[0].Version)
			}
		})
	}
}
