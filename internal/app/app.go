// Package app wires vigil's stages together: it composes the configuration,
// builds each stage with its own logger and metrics, connects them with
// bounded, blocking hand-offs, and stops them in a written order so that
// in-flight work is drained and nothing durable is skipped.
//
// The data flows one way: ingest → detect → (storage, correlate publish);
// correlate → escalate (lifecycle) → storage; escalate dispatcher → targets.
// No stage imports another; this package is the only place that knows them
// all.
package app
