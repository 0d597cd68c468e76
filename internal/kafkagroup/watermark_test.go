package kafkagroup

import (
	"testing"
	"time"
)

func TestWatermark(t *testing.T) {
	// ops: "d<next>" dispatches a batch ending before next, "f<i>" finishes
	// the i-th dispatched batch (0-based).
	type op struct {
		dispatch int64 // > 0: dispatch a batch ending before this offset
		finish   int   // >= 0 when dispatch == 0
	}
	d := func(next int64) op { return op{dispatch: next} }
	f := func(i int) op { return op{finish: i} }
	tests := []struct {
		name       string
		start      int64
		ops        []op
		want       int64
		unfinished int
	}{
		{"nothing dispatched", 42, nil, 42, 0},
		{"dispatched, unfinished", 0, []op{d(10)}, 0, 1},
		{"in order", 0, []op{d(10), d(20), f(0), f(1)}, 20, 0},
		{"later finishes first: held back", 0, []op{d(10), d(20), f(1)}, 0, 2},
		{"gap closes", 0, []op{d(10), d(20), d(30), f(2), f(1), f(0)}, 30, 0},
		{"partial prefix", 5, []op{d(10), d(20), d(30), f(0), f(2)}, 10, 2},
		{"offset gaps between batches (compaction)", 100, []op{d(110), d(150), f(0), f(1)}, 150, 0},
		{"finish twice is harmless", 0, []op{d(10), f(0), f(0), d(20)}, 10, 1},
		{"abandoned batch holds the mark", 0, []op{d(10), d(20), d(30), f(0), f(2)}, 10, 2},
		{"dispatch after advancing", 0, []op{d(10), f(0), d(20), d(30), f(2), f(1)}, 30, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWatermark(tt.start)
			var tickets []uint64
			for _, o := range tt.ops {
				if o.dispatch > 0 {
					tickets = append(tickets, w.dispatch(o.dispatch))
				} else {
					w.finish(tickets[o.finish])
				}
			}
			got, unfinished := w.offset()
			if got != tt.want || unfinished != tt.unfinished {
				t.Fatalf("offset() = %d, %d unfinished; want %d, %d", got, unfinished, tt.want, tt.unfinished)
			}
		})
	}
}

func TestWatermarkConcurrent(t *testing.T) {
	w := newWatermark(0)
	const n = 1000
	tickets := make([]uint64, n)
	for i := range n {
		tickets[i] = w.dispatch(int64(i+1) * 10)
	}
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := n - 1 - g; i >= 0; i -= 4 {
				w.finish(tickets[i])
			}
		}()
	}
	for range 4 {
		<-done
	}
	if got, unfinished := w.offset(); got != n*10 || unfinished != 0 {
		t.Fatalf("offset() = %d, %d; want %d, 0", got, unfinished, n*10)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{0, 100 * time.Millisecond},
		{1, 200 * time.Millisecond},
		{3, 800 * time.Millisecond},
		{7, 10 * time.Second},
		{1000, 10 * time.Second},
	}
	for _, tt := range tests {
		if got := backoff(tt.attempt, 100*time.Millisecond, 10*time.Second); got != tt.want {
			t.Errorf("backoff(%d) = %s, want %s", tt.attempt, got, tt.want)
		}
	}
}

func TestConfigDefaultsAndValidate(t *testing.T) {
	c := Config{Brokers: []string{"b:9092"}, GroupID: "g", Topics: []string{"t"}}.withDefaults()
	if err := c.validate(); err != nil {
		t.Fatalf("validate defaults: %v", err)
	}
	if c.MaxBatchRecords != 2000 || c.MaxBatchBytes != 8<<20 || c.MaxWait != 200*time.Millisecond ||
		c.InFlightPerPartition != 2 || c.CommitInterval != time.Second || !c.StartFromOldest ||
		c.DrainTimeout != 20*time.Second || c.FetchWait != 100*time.Millisecond || c.FetchMinBytes != 256<<10 ||
		c.MaxPendingRecords != 2*2000 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	// The broker never holds a fetch for more than a batch may carry.
	small := Config{Brokers: []string{"b:9092"}, GroupID: "g", Topics: []string{"t"}, MaxBatchBytes: 64 << 10}.withDefaults()
	if small.FetchMinBytes != 64<<10 {
		t.Errorf("fetch_min_bytes with 64 KiB batches = %d", small.FetchMinBytes)
	}
	bad := []struct {
		name string
		cfg  Config
	}{
		{"no brokers", Config{GroupID: "g", Topics: []string{"t"}}},
		{"no group", Config{Brokers: []string{"b"}, Topics: []string{"t"}}},
		{"no topics", Config{Brokers: []string{"b"}, GroupID: "g"}},
		{"negative batch", Config{Brokers: []string{"b"}, GroupID: "g", Topics: []string{"t"}, MaxBatchRecords: -1}},
		{"negative pending", Config{Brokers: []string{"b"}, GroupID: "g", Topics: []string{"t"}, MaxPendingRecords: -1}},
		{"negative fetch wait", Config{Brokers: []string{"b"}, GroupID: "g", Topics: []string{"t"}, FetchWait: -time.Second}},
		{"both starts", Config{Brokers: []string{"b"}, GroupID: "g", Topics: []string{"t"}, StartFromOldest: true, StartFromNewest: true}},
		{"heartbeat above session", Config{Brokers: []string{"b"}, GroupID: "g", Topics: []string{"t"}, HeartbeatInterval: time.Minute}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.withDefaults().validate(); err == nil {
				t.Fatal("validate: no error")
			}
		})
	}
}
