// Package escalate runs the incident lifecycle after correlation: it merges
// candidate incidents with their stored state, confirms them by a Rego
// policy, writes what is owed to responders into an outbox of deliveries,
// and dispatches that outbox to webhooks, PagerDuty, Slack and Kafka with
// retries, an escalation chain and customer-notification deadlines.
//
// Files:
//
//	lifecycle.go   the pure transition table and TransitionError
//	store.go       the storage methods escalate consumes (declared here)
//	config.go      Config (YAML): policy, deadlines, retry, targets, routes
//	policy.go      the auto-confirmation policy (policy/confirm.rego embedded)
//	manager.go     Manager: Observe, Transition, notes, declaration, outbox writes
//	alertcache.go  the alerts the lifecycle read, checked against their counts
//	route.go       route matching and delivery construction
//	targets.go     webhook, PagerDuty, Slack and Kafka senders
//	dispatcher.go  Dispatcher: outbox polling and Wake, backoff, chain, deadlines (Tick)
//	deadlinememo.go  what the deadline check found done, so open incidents cost no read per poll
//	draft.go       the customer-notification draft
//	report.go      the postmortem report
//	attack.go      ATT&CK technique names and customer actions
//	metrics.go     vigil_escalate_* metrics
//	escalatetest/  in-memory Store with storage semantics, for unit tests
//
// Crash safety: declaring an incident writes its deliveries (status pending)
// before the incident row that says it is confirmed. A crash in between
// leaves the incident unconfirmed; the next Observe or Transition declares
// it again and writes deliveries with the same keys, which storage keeps
// once (highest Version wins, and a re-created row has the lowest version).
// A crash between sending and recording a delivery sends it again with the
// same Idempotency-Key, so receivers can drop the repeat. Every message
// names the incident version it was decided on (incident.version), so a
// receiver can tell a newer state from a repeat. (The incidents table keeps
// the newest version of an incident once parts merge; every change stays
// in incident_timeline.)
package escalate
