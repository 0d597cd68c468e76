// Package correlate turns alerts into candidate incidents.
//
// Correlation rules are declarative YAML (policies/correlations/*.yaml,
// loaded with LoadRules) of four kinds: threshold (N alerts, or N distinct
// values, for one key within a window), sequence (steps in event-time order
// for one key within a span), entity (alerts sharing an entity within a
// window) and risk (the sum of alert risk scores for one key within a
// window). A key is the tenant plus the rule's group_by values.
//
// A Correlator keeps the state of one ordered stream. Windows are in event
// time (Alert.Timestamp); the watermark is the newest event time seen minus
// the allowed lateness, held back by a catch-up grace of processing time so
// that a source read slower than the others while a backlog is caught up is
// not late. Windows close when the watermark passes their end;
// an alert older than the watermark joins the key's open incident if there
// is one and is otherwise dropped, counted and logged. Incident ids are
// event.StableID of tenant, rule, key and window start, so a replay in the
// same order yields the same incidents; the same (rule, key, alert id)
// delivered twice counts once.
//
// At scale the Publisher writes one record per (rule, key) an alert matches
// to the correlate topic, keyed so that a key's records share a partition,
// and the Runner consumes that topic in a consumer group with one Correlator
// per partition, rebuilding open windows on assignment by re-reading the
// partition from before its committed offset. See
// policies/correlations/README.md for the rule format and the semantics.
package correlate
