package testenv

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Background runs run (a consumer's Run, a service's loop) in a goroutine
// until the returned stop is called or the test ends. Stop cancels run's
// context and waits up to 30 s for it to return; an error or a hang fails
// the test.
func Background(t testing.TB, run func(ctx context.Context) error) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("run: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("run did not return within 30s of cancellation")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}
