package detect

import (
	"sort"
	"sync"
	"time"

	"github.com/vigil-soc/vigil/event"
)

// maxFoldedIDs bounds the event ids and origins kept on a suppressed alert.
const maxFoldedIDs = 100

// suppressor folds findings of the same detection for the same tenant and
// entity key within one window into one alert. Windows are aligned to the
// event time (truncated to the window length), so the alert id
// StableID("al-", detection, key, window start) is the same on every replay.
//
// A window is forgotten once the event time of the stream that fed it (its
// Kafka partition or file) is a whole window past its end, not once the
// clock is: a backlog caught up after an outage, or a replay of last week,
// is hours behind the clock, and forgetting its windows by the clock would
// restart every alert's count at each flush (the same id emitted again from
// 1, its first findings lost). Partitions are read at different paces, so
// one partition's progress says nothing of another's windows. A window no
// finding reached for idleAfter of clock time, and whose end has passed, is
// forgotten too, so that a stream that stops does not hold its windows for
// ever.
type suppressor struct {
	window time.Duration
	mu     sync.Mutex
	open   map[string]*openAlert
	// pending are the open alerts that folded findings since they were
	// last emitted, in the order they first did.
	pending []*openAlert
	// progress is the newest event time seen per stream, but no further
	// ahead of the clock than one window (a source whose clock runs ahead
	// must not end its windows early).
	progress map[stream]time.Time
	// maxOpen bounds the open alerts: beyond it, flush forgets those whose
	// windows end first. evicted counts them.
	maxOpen int
	evicted int
}

// maxOpenAlerts is the default bound of open suppressed alerts: a few
// hundred bytes each, so at most a few hundred MiB, reached only by a
// detection that fires for an unbounded number of entities.
const maxOpenAlerts = 1 << 20

// stream is where events come from in order: a Kafka partition or a file.
type stream struct {
	topic     string
	partition int
	file      string
}

func streamOf(o event.Origin) stream {
	return stream{topic: o.Topic, partition: o.Partition, file: o.File}
}

type openAlert struct {
	alert   event.Alert
	end     time.Time
	src     stream    // the stream of the latest finding
	touched time.Time // clock time of the latest finding
	dirty   bool      // folded findings not yet emitted
}

// idleAfter is how long, in clock time, a window whose end has passed is
// kept without new findings.
func (s *suppressor) idleAfter() time.Duration { return 2 * s.window }

func newSuppressor(window time.Duration) *suppressor {
	return &suppressor{window: window, open: map[string]*openAlert{}, progress: map[stream]time.Time{}, maxOpen: maxOpenAlerts}
}

// observe records how far in event time the streams of events have got.
// now is the clock.
func (s *suppressor) observe(events []event.Event, now time.Time) {
	limit := now.Add(s.window)
	var (
		cur    stream
		newest time.Time
		have   bool
	)
	s.mu.Lock()
	defer s.mu.Unlock()
	done := func() {
		if have && newest.After(s.progress[cur]) {
			s.progress[cur] = newest
		}
	}
	for i := range events {
		src := streamOf(events[i].Origin)
		if !have || src != cur {
			done()
			cur, newest, have = src, time.Time{}, true
		}
		if t := minTime(events[i].Timestamp, limit); t.After(newest) {
			newest = t
		}
	}
	done()
}

// add returns the alert to emit now and true for the first finding of a
// window; later findings in the window only fold into the open alert. src
// is the stream of the finding's event, now the clock.
func (s *suppressor) add(a event.Alert, entityKey string, src stream, now time.Time) (event.Alert, bool) {
	start := a.Timestamp.Truncate(s.window)
	key := a.DetectionID + "\x00" + a.Tenant + "\x00" + entityKey + "\x00" + start.UTC().Format(time.RFC3339Nano)
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.open[key]; ok {
		o.src, o.touched = src, now
		o.alert.Count++
		if a.Timestamp.After(o.alert.LastSeen) {
			o.alert.LastSeen = a.Timestamp
		}
		if len(o.alert.EventIDs) < maxFoldedIDs {
			o.alert.EventIDs = append(o.alert.EventIDs, a.EventIDs...)
			o.alert.Origins = append(o.alert.Origins, a.Origins...)
		}
		o.alert.DetectedAt = a.DetectedAt
		if !o.dirty {
			o.dirty = true
			s.pending = append(s.pending, o)
		}
		return event.Alert{}, false
	}
	a.ID = event.StableID("al-", a.DetectionID, a.Tenant+"|"+entityKey, start.UTC().Format(time.RFC3339Nano))
	s.open[key] = &openAlert{alert: a, end: start.Add(s.window), src: src, touched: now}
	return cloneAlert(a), true
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// takePending returns, with their running counts, the open alerts that
// folded findings since they were last emitted.
func (s *suppressor) takePending() []event.Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []event.Alert
	for _, o := range s.pending {
		out = o.emitIfDirty(out)
	}
	return s.donePending(out)
}

// emitIfDirty appends the running alert to out if it folded findings since
// it was last emitted.
func (o *openAlert) emitIfDirty(out []event.Alert) []event.Alert {
	if !o.dirty {
		return out
	}
	o.dirty = false
	return append(out, cloneAlert(o.alert))
}

// donePending forgets the pending list (every dirty alert was emitted) and
// returns out in event-time order.
func (s *suppressor) donePending(out []event.Alert) []event.Alert {
	clear(s.pending)
	s.pending = s.pending[:0]
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Timestamp.Equal(out[j].Timestamp) {
			return out[i].Timestamp.Before(out[j].Timestamp)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// flush emits, with its running count, every open alert that folded
// findings since it was last emitted, and forgets the windows the stream
// has left behind (see suppressor). Emitting before the window ends keeps
// counts flowing: a threshold over folded alerts (many long DNS queries
// from one host) must not wait for the end of the suppression window to
// fire.
func (s *suppressor) flush(now time.Time) []event.Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []event.Alert
	for k, o := range s.open {
		out = o.emitIfDirty(out)
		passed := !o.end.Add(s.window).After(s.progress[o.src])
		idle := !o.end.After(now) && now.Sub(o.touched) >= s.idleAfter()
		if passed || idle {
			delete(s.open, k)
		}
	}
	if len(s.open) > s.maxOpen {
		s.evictOldest()
	}
	return s.donePending(out)
}

// evictOldest forgets the open alerts whose windows end first until nine
// tenths of maxOpen remain (the headroom spares the next flushes a sort).
// Their findings so far were emitted; a later finding in one of their
// windows starts the count again under the same id.
func (s *suppressor) evictOldest() {
	type byEnd struct {
		end time.Time
		key string
	}
	all := make([]byEnd, 0, len(s.open))
	for k, o := range s.open {
		all = append(all, byEnd{o.end, k})
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].end.Equal(all[j].end) {
			return all[i].end.Before(all[j].end)
		}
		return all[i].key < all[j].key
	})
	for _, e := range all[:len(all)-s.maxOpen*9/10] {
		delete(s.open, e.key)
		s.evicted++
	}
}

// stats returns the open alerts and the evictions since the last call.
func (s *suppressor) stats() (open, evicted int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	open, evicted = len(s.open), s.evicted
	s.evicted = 0
	return open, evicted
}

func cloneAlert(a event.Alert) event.Alert {
	a.EventIDs = append([]string(nil), a.EventIDs...)
	a.Origins = append([]event.Origin(nil), a.Origins...)
	return a
}
