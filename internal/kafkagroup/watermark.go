package kafkagroup

import "sync"

// watermark follows the batches of one partition from dispatch to
// completion. Batches are dispatched in offset order and may finish in any
// order; the watermark is the offset after the last batch such that it and
// every batch dispatched before it have finished. That is the offset the
// group may commit: everything below it is done.
type watermark struct {
	mu      sync.Mutex
	mark    int64  // every offset below mark is done
	head    uint64 // ticket of pending[0]
	pending []batchSpan
}

type batchSpan struct {
	next int64 // last offset of the batch + 1
	done bool
}

// newWatermark starts at offset start: nothing below it needs work.
func newWatermark(start int64) *watermark {
	return &watermark{mark: start}
}

// dispatch records a batch ending just before next and returns its ticket.
// Batches must be dispatched in offset order.
func (w *watermark) dispatch(next int64) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, batchSpan{next: next})
	return w.head + uint64(len(w.pending)) - 1
}

// finish marks the batch of ticket t done and advances the watermark over
// every finished batch at the front.
func (w *watermark) finish(t uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	i := t - w.head
	if t < w.head || i >= uint64(len(w.pending)) {
		return // unknown or already passed: nothing to do
	}
	w.pending[i].done = true
	n := 0
	for n < len(w.pending) && w.pending[n].done {
		w.mark = w.pending[n].next
		n++
	}
	if n > 0 {
		w.pending = append(w.pending[:0], w.pending[n:]...)
		w.head += uint64(n)
	}
}

// offset returns the watermark and how many dispatched batches are still
// unfinished.
func (w *watermark) offset() (mark int64, unfinished int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.mark, len(w.pending)
}
