package correlate

import "sort"

// Sequence rules keep, per key and step, the matching alerts in event-time
// order (capped at MaxStepAlerts, oldest dropped). When every step holds at
// least its min_count alerts the key is evaluated: for each candidate start
// (a first-step alert, earliest first) each step completes at its
// min_count-th alert not before the previous step completed; the first start
// whose last step completes within Span of it wins. The incident's window
// start is that first alert's event time; it lists every buffered alert from
// the start to the completion, which are then consumed. Until Span after the
// start, further alerts of any step for the key join the incident.

type seqEntry struct {
	t   int64
	rec *alertRec
}

func (c *Correlator) seqAdd(ks *keyState, a *alertRec) {
	r := ks.rule
	var matched uint64 // bit i: step i matches
	for i := range r.Steps {
		if r.Steps[i].Match.matchesRec(a) {
			matched |= 1 << uint(i)
		}
	}
	if matched == 0 {
		return
	}
	if inc := ks.inc; inc != nil && a.t <= inc.coverEnd {
		c.attach(inc, ks, a)
		return
	}
	limit := max(c.cfg.MaxStepAlerts, 1)
	for i := range r.Steps {
		st := &r.Steps[i]
		if matched&(1<<uint(i)) == 0 {
			continue
		}
		s := ks.steps[i]
		// Insert in event-time order; arrival order breaks ties.
		j := len(s)
		for j > 0 && s[j-1].t > a.t {
			j--
		}
		s = append(s, seqEntry{})
		copy(s[j+1:], s[j:])
		s[j] = seqEntry{t: a.t, rec: a}
		if n := max(limit, 2*st.MinCount); len(s) > n {
			c.m.evictions.WithLabelValues("step_alert").Add(float64(len(s) - n))
			s = s[len(s)-n:]
		}
		ks.steps[i] = s
	}
	for i := range r.Steps {
		if len(ks.steps[i]) < r.Steps[i].MinCount {
			return
		}
	}
	start, done, ok := seqComplete(r, ks.steps)
	if !ok {
		return
	}
	inc := c.newIncident(ks, start)
	inc.coverEnd = start + int64(r.Span)
	inc.retainUntil = inc.coverEnd
	ks.inc = inc
	seen := map[*alertRec]bool{}
	var story []seqEntry
	for i, s := range ks.steps {
		k := 0
		for _, e := range s {
			if e.t > done {
				s[k] = e
				k++
				continue
			}
			if e.t >= start && !seen[e.rec] {
				seen[e.rec] = true
				story = append(story, e)
			}
		}
		ks.steps[i] = s[:k]
	}
	sort.SliceStable(story, func(i, j int) bool { return story[i].t < story[j].t })
	for _, e := range story {
		c.attach(inc, ks, e.rec)
	}
}

// seqComplete finds the earliest start from which every step completes in
// order within the span; it returns the start and the completion time.
func seqComplete(r *Rule, steps [][]seqEntry) (start, done int64, ok bool) {
	span := int64(r.Span)
	first := steps[0]
	m0 := r.Steps[0].MinCount
	for k := 0; k+m0-1 < len(first); k++ {
		start = first[k].t
		done = first[k+m0-1].t
		if done-start > span {
			continue
		}
		ok = true
		for i := 1; i < len(steps); i++ {
			s := steps[i]
			m := r.Steps[i].MinCount
			j := sort.Search(len(s), func(x int) bool { return s[x].t >= done })
			if j+m-1 >= len(s) {
				ok = false
				break
			}
			done = s[j+m-1].t
			if done-start > span {
				ok = false
				break
			}
		}
		if ok {
			return start, done, true
		}
	}
	return 0, 0, false
}
