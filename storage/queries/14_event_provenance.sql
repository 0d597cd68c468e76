-- Where did an event come from? Kafka topic, partition and offset (replay
-- with these), or file and line.
-- params: event_id
SELECT tenant, timestamp, dataset, origin_topic, origin_partition, origin_offset, origin_file, origin_line, original
FROM events
WHERE event_id = {event_id:String}
LIMIT 1
