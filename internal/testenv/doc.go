// Package testenv gives integration tests real servers: the Kafka broker and
// the ClickHouse server of vigil's local stack (deploy/local/stack, started by
// `make stack-up`).
//
// Kafka and ClickHouse find the servers through VIGIL_KAFKA_BROKERS,
// VIGIL_CLICKHOUSE_ADDR and VIGIL_CLICKHOUSE_HTTP, or the stack's default
// loopback ports when those are unset. Each test then gets fresh, uniquely
// named resources that are removed when it ends:
//
//	k := testenv.Kafka(t)
//	topic := k.Topic(t, 3) // deleted in t.Cleanup
//
//	ch := testenv.ClickHouse(t)
//	db := ch.Database(t) // dropped in t.Cleanup
//	conn := ch.Conn(t, db)
//
// When a server does not answer, the test is skipped with a hint to run
// `make stack-up`; with CI=true it fails instead, so a missing server can
// never pass a build.
package testenv
