package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"time"

	"github.com/vigil-soc/vigil/bench/gen"
	"github.com/vigil-soc/vigil/bench/harness"
)

// latency produces at rate records per second into a running vigil, each
// record's Kafka timestamp set to the moment it is handed to the producer,
// and measures produce → alert row in ClickHouse and produce → webhook
// delivery.
// name names the run's topics, groups and database; each run needs its own.
// With --pprof the run is profiled too, from five seconds into the stream.
func (b *bench) latency(ctx context.Context, res *harness.Result, name string, rate float64) (*harness.LatencyRun, error) {
	l := &harness.LatencyRun{Detections: b.o.latencySet, RatePerSecond: round(rate, 1), Status: "FAIL"}
	s, err := b.prepare(ctx, name, b.o.latencySet)
	if err != nil {
		return l, err
	}
	defer s.conn.Close()
	pprof := b.o.pprofDir != ""
	if err := b.start(ctx, s, pprof); err != nil {
		return l, err
	}
	t := &harness.Throughput{}
	defer b.stop(s, throughputProblems{t})
	b.webhook.Reset()

	n := int(rate * float64(b.o.latencySeconds))
	// Event time runs with the wall clock at the produce rate, so that
	// correlation windows and watermarks see a live stream. A scenario
	// starts every five seconds and plays ten times faster than described
	// (the longest, a minute of beacons, in a minute), so that chains
	// complete within the run and their incidents are escalated.
	g := gen.New(gen.Config{Seed: b.o.seed + 1, Noise: true, Start: time.Now().UTC(),
		EventsPerSecondOfEventTime: rate, ScenarioEvery: max(250, int(rate*5)), ScenarioSpeedup: latencyScenarioSpeedup})
	p := &harness.Producer{Brokers: b.brokers, Topic: func(r gen.Record) string { return s.raw[r.Source] }, Rate: rate, Track: true}
	b.log.Info("latency run", "rate", int(rate), "records", n)
	if pprof {
		defer b.profileAfter(ctx, s, res, 5*time.Second)()
	}
	// Lag while producing shows whether vigil keeps up with the rate or
	// falls behind in steps (a stall), which the latency summary alone
	// cannot tell.
	stopSampling := b.startLagSampling(ctx, s.ready, s.group+"-ingest", s.parts, s.conn, "events", t)
	pids := map[string]int{harness.CPUVigil: s.proc.Pid, harness.CPULoadGenerator: os.Getpid()}
	maps.Copy(pids, b.stackPIDs)
	meter := harness.StartCPUMeter(pids)
	st, err := p.Produce(ctx, g, n)
	machine, procs := meter.Stop()
	stopSampling()
	if err != nil {
		return l, err
	}
	l.SetProducingCPU(machine, procs, st.Records)
	for _, p := range t.Lag {
		if p.Lag >= 0 {
			l.MaxLagProducing = max(l.MaxLagProducing, p.Lag)
			l.LagProduced = p.Lag
		}
	}
	l.Records, l.Seconds = st.Records, round(st.Seconds, 2)
	l.Counts.Produced = st.Records
	if _, err := b.drain(ctx, s, st.Records, t); err != nil {
		return l, err
	}
	l.Lag = t.Lag
	span, err := harness.Span(ctx, s.conn, "events", "(origin_topic, origin_partition, origin_offset)")
	if err != nil {
		return l, err
	}
	dlq, _ := b.kafka.Records(ctx, s.dlq...)
	l.Counts.StoredRecords, l.Counts.Rows, l.Counts.DLQ = span.Distinct, span.Rows, dlq
	l.Counts.Lost = st.Records - int64(span.Distinct) - dlq
	b.settle(ctx, s)
	b.waitDeliveries(ctx)

	alertLat, stages, err := alertLatencies(ctx, s, st.Produced)
	if err != nil {
		return l, err
	}
	l.ProduceToAlert = harness.Summarize(alertLat)
	l.AlertStages = stages
	escLat, escStages, deliveries, err := escalationLatencies(ctx, s, st.Produced, b.webhook.Deliveries())
	if err != nil {
		return l, err
	}
	l.Escalations = deliveries
	l.ProduceToEscal = harness.Summarize(escLat)
	l.EscalationStages = escStages
	l.Status = "PASS"
	if l.Counts.Lost != 0 {
		l.Status = "FAIL"
		l.Problems = append(l.Problems, fmt.Sprintf("%d records neither stored nor dead-lettered", l.Counts.Lost))
	}
	if l.ProduceToAlert.Samples == 0 {
		l.Status = "FAIL"
		l.Problems = append(l.Problems, "no alert to measure")
	}
	if deliveries == 0 {
		l.Problems = append(l.Problems, "no escalation reached the webhook")
	}
	l.Problems = append(l.Problems, t.Problems...)
	b.log.Info("latency done", "alert_p99_ms", l.ProduceToAlert.P99Ms, "escalation_p99_ms", l.ProduceToEscal.P99Ms, "escalations", deliveries)
	return l, nil
}

// latencyScenarioSpeedup is how much faster than described the latency
// runs play attack scenarios.
const latencyScenarioSpeedup = 10

// waitDeliveries waits until no webhook request arrived for five seconds,
// at most a minute.
func (b *bench) waitDeliveries(ctx context.Context) {
	prev, quiet := -1, 0
	for i := 0; i < 60 && quiet < 5; i++ {
		n := len(b.webhook.Deliveries())
		if n == prev {
			quiet++
		} else {
			quiet = 0
		}
		prev = n
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// alertLatencies takes every stored alert row (each emission of an alert)
// and measures from the produce time of the newest record it cites to the
// row's stored_at, the server's insert time. A re-emission of a suppressed
// alert that folded more findings than it lists (origins are capped) does
// not cite its newest record and is left out. The stages split each sample
// at the moment the newest record's batch reached vigil's handler (the
// event's ingested time) and the alert's detected_at.
func alertLatencies(ctx context.Context, s *vigilSetup, produced map[harness.Origin]time.Time) ([]time.Duration, *harness.AlertStages, error) {
	handled, err := handlerTimes(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.conn.Query(ctx, "SELECT origin_topics, origin_partitions, origin_offsets, detected_at, stored_at FROM alerts WHERE count <= length(origin_offsets) AND NOT signal")
	if err != nil {
		return nil, nil, fmt.Errorf("read alerts: %w", err)
	}
	defer rows.Close()
	var out, toHandler, toDetected, toStored []time.Duration
	for rows.Next() {
		var (
			topics           []string
			parts            []int32
			offsets          []int64
			detected, stored time.Time
		)
		if err := rows.Scan(&topics, &parts, &offsets, &detected, &stored); err != nil {
			return nil, nil, fmt.Errorf("read alerts: %w", err)
		}
		o, at, ok := newest(produced, topics, parts, offsets)
		if !ok {
			continue
		}
		out = append(out, stored.Sub(at))
		if h, ok := handled[o]; ok {
			toHandler = append(toHandler, h.Sub(at))
			toDetected = append(toDetected, detected.Sub(h))
			toStored = append(toStored, stored.Sub(detected))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read alerts: %w", err)
	}
	stages := &harness.AlertStages{
		ProduceToHandler:  harness.Summarize(toHandler),
		HandlerToDetected: harness.Summarize(toDetected),
		DetectedToStored:  harness.Summarize(toStored),
	}
	return out, stages, nil
}

// handlerTimes returns when the batch of each record cited by an alert
// reached vigil's handler: the ingested time of its events.
func handlerTimes(ctx context.Context, s *vigilSetup) (map[harness.Origin]time.Time, error) {
	rows, err := s.conn.Query(ctx, `SELECT origin_topic, origin_partition, origin_offset, min(ingested) FROM events
		WHERE (origin_topic, origin_partition, origin_offset) IN
			(SELECT arrayJoin(arrayZip(origin_topics, origin_partitions, origin_offsets)) FROM alerts WHERE NOT signal)
		GROUP BY origin_topic, origin_partition, origin_offset`)
	if err != nil {
		return nil, fmt.Errorf("read ingest times: %w", err)
	}
	defer rows.Close()
	out := map[harness.Origin]time.Time{}
	for rows.Next() {
		var (
			topic  string
			part   int32
			offset int64
			at     time.Time
		)
		if err := rows.Scan(&topic, &part, &offset, &at); err != nil {
			return nil, fmt.Errorf("read ingest times: %w", err)
		}
		out[harness.Origin{Topic: topic, Partition: int(part), Offset: offset}] = at
	}
	return out, rows.Err()
}

// newest returns the cited record produced last and its produce time.
func newest(produced map[harness.Origin]time.Time, topics []string, parts []int32, offsets []int64) (harness.Origin, time.Time, bool) {
	var (
		at   time.Time
		last harness.Origin
	)
	for i := range min(len(topics), len(parts), len(offsets)) {
		o := harness.Origin{Topic: topics[i], Partition: int(parts[i]), Offset: offsets[i]}
		if t, ok := produced[o]; ok && t.After(at) {
			at, last = t, o
		}
	}
	return last, at, !at.IsZero()
}

// escalationLatencies measures, for the first webhook delivery of each
// incident, from the produce time of the newest record behind the incident
// version the delivery was decided on (the message's incident.version) to
// the delivery's arrival, split at that version's updated_at. The records
// are found through the version's event ids in incident_versions, so
// incidents built from building-block signals, which have no alert rows,
// are measured too.
func escalationLatencies(ctx context.Context, s *vigilSetup, produced map[harness.Origin]time.Time, ds []harness.Delivery) ([]time.Duration, *harness.EscalationStages, int, error) {
	first := map[string]harness.Delivery{}
	for _, d := range ds {
		if d.IncidentID == "" {
			continue
		}
		if f, ok := first[d.IncidentID]; !ok || d.At.Before(f.At) {
			first[d.IncidentID] = d
		}
	}
	var out, toDecided, toDelivered []time.Duration
	for id, d := range first {
		var (
			eventIDs []string
			decided  time.Time
		)
		err := s.conn.QueryRow(ctx, "SELECT event_ids, updated_at FROM incident_versions WHERE incident_id = ? AND version = ? LIMIT 1",
			id, d.Version).Scan(&eventIDs, &decided)
		if err != nil || len(eventIDs) == 0 {
			continue
		}
		last, err := newestOfEvents(ctx, s, produced, eventIDs)
		if err != nil {
			return nil, nil, len(ds), fmt.Errorf("read events of incident %s: %w", id, err)
		}
		if last.IsZero() {
			continue
		}
		out = append(out, d.At.Sub(last))
		toDecided = append(toDecided, decided.Sub(last))
		toDelivered = append(toDelivered, d.At.Sub(decided))
	}
	stages := &harness.EscalationStages{
		ProduceToDecided:   harness.Summarize(toDecided),
		DecidedToDelivered: harness.Summarize(toDelivered),
	}
	return out, stages, len(ds), nil
}

// newestOfEvents returns the produce time of the newest record behind the
// given events.
func newestOfEvents(ctx context.Context, s *vigilSetup, produced map[harness.Origin]time.Time, eventIDs []string) (time.Time, error) {
	rows, err := s.conn.Query(ctx, "SELECT origin_topic, origin_partition, origin_offset FROM events WHERE event_id IN ?", eventIDs)
	if err != nil {
		return time.Time{}, err
	}
	defer rows.Close()
	var last time.Time
	for rows.Next() {
		var (
			topic  string
			part   int32
			offset int64
		)
		if err := rows.Scan(&topic, &part, &offset); err != nil {
			return time.Time{}, err
		}
		if t, ok := produced[harness.Origin{Topic: topic, Partition: int(part), Offset: offset}]; ok && t.After(last) {
			last = t
		}
	}
	return last, rows.Err()
}
