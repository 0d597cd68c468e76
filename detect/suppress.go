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
type suppressor struct {
	window time.Duration
	mu     sync.Mutex
	open   map[string]*openAlert
	// pending are the open alerts that folded findings since they were
	// last emitted, in the order they first did.
	pending []*openAlert
}

type openAlert struct {
	alert event.Alert
	end   time.Time
	dirty bool // folded findings not yet emitted
}

func newSuppressor(window time.Duration) *suppressor {
	return &suppressor{window: window, open: map[string]*openAlert{}}
}

// add returns the alert to emit now and true for the first finding of a
// window; later findings in the window only fold into the open alert.
func (s *suppressor) add(a event.Alert, entityKey string) (event.Alert, bool) {
	start := a.Timestamp.Truncate(s.window)
	key := a.DetectionID + "\x00" + a.Tenant + "\x00" + entityKey + "\x00" + start.UTC().Format(time.RFC3339Nano)
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.open[key]; ok {
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
	s.open[key] = &openAlert{alert: a, end: start.Add(s.window)}
	return cloneAlert(a), true
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
// findings since it was last emitted, and forgets the windows ended by now.
// Emitting before the window ends keeps counts flowing: a threshold over
// folded alerts (many long DNS queries from one host) must not wait for the
// end of the suppression window to fire.
func (s *suppressor) flush(now time.Time) []event.Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []event.Alert
	for k, o := range s.open {
		out = o.emitIfDirty(out)
		if !o.end.After(now) {
			delete(s.open, k)
		}
	}
	return s.donePending(out)
}

func cloneAlert(a event.Alert) event.Alert {
	a.EventIDs = append([]string(nil), a.EventIDs...)
	a.Origins = append([]event.Origin(nil), a.Origins...)
	return a
}
