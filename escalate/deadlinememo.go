package escalate

import (
	"sync"
	"time"
)

// deadlineMemo remembers what the deadline check found done for each
// declared incident. Timeline entries are only ever added, so a reminder
// recorded, the deadline recorded or the customer notified stays so: what
// the memo holds is never wrong, only incomplete (another process may have
// done more), and the check reads the timeline before it does anything.
type deadlineMemo struct {
	mu   sync.Mutex
	byID map[string]*deadlineDone
}

type deadlineDone struct {
	notifyBy time.Time       // the deadline this was found for
	settled  bool            // customer notified or deadline recorded: nothing more is due
	marks    map[string]bool // reminder marks recorded
}

// maxDeadlineMemo bounds the incidents remembered; when full the memo
// starts again empty, which costs only timeline reads.
const maxDeadlineMemo = 1 << 16

// due says whether, at now, the incident's deadline or one of its marks
// has come due that the memo does not know is done.
func (m *deadlineMemo) due(id string, notifyBy time.Time, marks []mark, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.byID[id]
	if d != nil && !d.notifyBy.Equal(notifyBy) {
		d = nil
	}
	if d != nil && d.settled {
		return false
	}
	if !now.Before(notifyBy) {
		return true
	}
	for _, mk := range marks {
		if !mk.at.After(now) && (d == nil || !d.marks[mk.name]) {
			return true
		}
	}
	return false
}

func (m *deadlineMemo) entry(id string, notifyBy time.Time) *deadlineDone {
	d := m.byID[id]
	if d == nil && (m.byID == nil || len(m.byID) >= maxDeadlineMemo) {
		m.byID = make(map[string]*deadlineDone)
	}
	if d == nil || !d.notifyBy.Equal(notifyBy) {
		d = &deadlineDone{notifyBy: notifyBy, marks: map[string]bool{}}
		m.byID[id] = d
	}
	return d
}

func (m *deadlineMemo) settle(id string, notifyBy time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entry(id, notifyBy).settled = true
}

func (m *deadlineMemo) markDone(id string, notifyBy time.Time, mark string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entry(id, notifyBy).marks[mark] = true
}
