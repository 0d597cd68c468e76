// Package storage keeps vigil's events, alerts, incidents, incident
// timelines and escalation outbox in ClickHouse.
//
// Writes go through one group-commit batcher per table: rows from concurrent
// callers join one INSERT, each call returns once its own rows are durable,
// and callers block when a table's queue is full. Every write is idempotent:
// each INSERT carries an insert_deduplication_token derived from the ids (and
// versions) of its rows, so a retried batch is stored once, and every table is
// a ReplacingMergeTree keyed by the row id, so a replay that forms different
// batches still converges to one row per id.
//
// The schema lives in versioned, embedded migrations (migrations/NNN_name.sql)
// rendered for a single server or for a cluster (ON CLUSTER, Replicated
// tables and Distributed tables). README.md documents the schema and the
// analyst queries in queries/.
package storage
