// Package gen is vigil's deterministic telemetry generator. It produces
// realistic mixed security telemetry in each source's native wire format —
// CloudTrail records, Office 365 Management Activity records, Entra ID
// sign-in logs in the Azure Monitor form, Okta System Log events, Windows
// Security/System/Sysmon events in the flat JSON form of public attack
// datasets, RFC 3164 and RFC 5424 auth.log lines and Zeek JSON logs — so
// that the ingest parsers, detections and correlation rules can be
// exercised end to end by `make demo`, `make bench` and tests.
//
// The stream has two parts. Background noise is benign activity of a few
// hundred users and tens of hosts per tenant: sign-ins, read-only cloud API
// calls, file access, logons and process starts of ordinary software,
// connections and DNS look-ups of ordinary domains, cron and public-key SSH
// logins. Attack scenarios (see Scenarios) are injected every
// Config.ScenarioEvery noise records, each with fresh entities drawn from
// the seeded random source, and their records are interleaved with the
// noise at their scheduled event times. Expected reports, for every
// scenario that has been fully emitted, the behaviours and entities a
// correct pipeline must find.
//
// Everything, including every id, derives from Config.Seed: the same
// configuration always yields a byte-identical stream. Records are built by
// appending to byte slices, without reflection or fmt, so that one core
// produces a few hundred thousand records per second.
package gen
