// Package parse turns raw log records of each supported source into
// normalized event.Event values (Elastic Common Schema field names).
//
// One Parser exists per source: aws.cloudtrail, o365.audit,
// azure.signinlogs, okta.system, windows, syslog, zeek and ecs. A Registry
// holds them all, enforces the record size limit and, for the source "" or
// "auto", detects the source from the shape of the record (DetectSource).
//
// Every event carries a stable event.id (the source's own id when it has
// one, namespaced by source; otherwise derived from the record's Kafka
// position or file and line), the record text in event.original, the Kafka
// timestamp in event.created and every source field under Event.Vendor.
// Failures are *Error values whose Reason is one of the Reason constants, so
// that the consumer can route the record to a dead-letter topic with a
// reason header.
//
// ingest/README.md ("Sources and field mapping") documents detection, id,
// tenant and field mapping rules per source.
package parse
