// Package kafkagroup is vigil's one Kafka consumer-group mechanism: ingest
// reads the raw topics with it and the correlation stage reads
// vigil.correlate with it.
//
// A Consumer joins a consumer group (kafka-go's ConsumerGroup), reads every
// partition it is assigned with its own partition reader, cuts the stream
// into batches (by record count, bytes and time) and hands them to a Handler
// in offset order. An offset is committed only when the Handler has returned
// nil for every batch up to it: the commit watermark of a partition is
// contiguous, so a batch that is slow, failing or abandoned holds the
// watermark back and is read again by whoever owns the partition next.
//
// Concurrency model: one goroutine per assigned partition fetches and cuts
// batches; each batch runs in its own goroutine, at most
// Config.InFlightPerPartition per partition, so a slow handler blocks the
// fetcher (backpressure) instead of growing a queue. A handler that has
// done its own work and only waits for durability calls Batch.Release: the
// next batch starts, while the released one still holds the commit back
// (at most Config.MaxPendingRecords records per partition in all). One goroutine per
// generation commits watermarks every Config.CommitInterval. All of them are
// owned by conc.WaitGroups and have ended when Run returns.
//
// Shutdown (Run's context ends) and rebalance (the generation ends) follow
// the same order: stop fetching → wait for in-flight batches (at most
// Config.DrainTimeout, after which their context is cancelled and they are
// abandoned, uncommitted) → commit the final watermarks → close the
// partition readers. On shutdown the consumer then leaves the group; on a
// rebalance it joins the next generation.
package kafkagroup
