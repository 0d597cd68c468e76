// Package harness holds the parts of vigil's end-to-end benchmark
// (bench/cmd/vigil-bench): producing generated telemetry to Kafka, the
// Kafka → ClickHouse copy that sets the ceiling, running the vigil binary
// with a derived configuration and policy set, and the measurements —
// process CPU and peak RSS from /proc, consumer lag from Kafka offsets,
// latency percentiles, a local webhook receiver — and the result file.
//
// Nothing in it is a number: every figure in a Result comes from a
// measurement taken during the run that wrote it.
package harness
