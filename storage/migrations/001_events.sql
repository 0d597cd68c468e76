-- events: every normalized event.
--
-- ENGINE ReplacingMergeTree: a replayed Kafka partition may cut its batches
-- differently, so the insert token alone cannot catch every duplicate; rows
-- with the same sort key (same tenant, timestamp and event_id) collapse on
-- merge, and readers that need exact counts use FINAL or uniqExact(event_id).
-- ORDER BY (tenant, timestamp, event_id): every query and row policy filters
-- on tenant first, investigations are time ranges within a tenant, and
-- event_id last makes the key unique per event for the replacing merge.
-- PARTITION BY toYYYYMMDD(timestamp): one partition a day, so the TTL drops
-- whole parts (ttl_only_drop_parts) and time filters prune partitions.
CREATE TABLE IF NOT EXISTS `{{.Database}}`.`{{.Local "events"}}`{{.OnCluster}}
(
    tenant LowCardinality(String),
    timestamp DateTime64(3, 'UTC'),
    event_id String,
    kind LowCardinality(String),
    dataset LowCardinality(String),
    module LowCardinality(String),
    provider LowCardinality(String),
    category Array(LowCardinality(String)),
    type Array(LowCardinality(String)),
    action LowCardinality(String),
    outcome LowCardinality(String),
    code LowCardinality(String),
    severity Int32,
    created DateTime64(3, 'UTC'),
    ingested DateTime64(3, 'UTC'),
    user_name String,
    user_domain LowCardinality(String),
    user_id String,
    user_email String,
    user_roles Array(LowCardinality(String)),
    target_user_name String,
    target_user_domain LowCardinality(String),
    target_user_id String,
    source_ip IPv6,
    source_port UInt16,
    source_domain String,
    source_country LowCardinality(String),
    source_bytes Int64,
    destination_ip IPv6,
    destination_port UInt16,
    destination_domain String,
    destination_country LowCardinality(String),
    destination_bytes Int64,
    network_transport LowCardinality(String),
    network_protocol LowCardinality(String),
    network_direction LowCardinality(String),
    network_bytes Int64,
    host_name String,
    host_id String,
    host_ip Array(IPv6),
    host_os_family LowCardinality(String),
    process_pid Int64,
    process_name LowCardinality(String),
    process_executable String,
    process_command_line String CODEC(ZSTD(1)),
    process_entity_id String,
    process_parent_name LowCardinality(String),
    process_parent_executable String,
    process_parent_command_line String CODEC(ZSTD(1)),
    file_path String,
    file_name String,
    file_extension LowCardinality(String),
    cloud_provider LowCardinality(String),
    cloud_account_id LowCardinality(String),
    cloud_region LowCardinality(String),
    cloud_service LowCardinality(String),
    dns_question_name String,
    dns_question_type LowCardinality(String),
    dns_registered_domain String,
    dns_response_code LowCardinality(String),
    url_full String CODEC(ZSTD(1)),
    url_domain String,
    url_path String,
    http_method LowCardinality(String),
    http_status_code UInt16,
    tls_server_name String,
    tls_ja3 String,
    email_from String,
    email_to Array(String),
    email_subject String,
    user_agent String CODEC(ZSTD(1)),
    message String CODEC(ZSTD(1)),
    tags Array(LowCardinality(String)),
    related_users Array(String),
    related_ips Array(IPv6),
    related_hosts Array(String),
    -- Vendor fields flattened to dotted keys (aws.cloudtrail.eventSource).
    fields Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    -- The whole ECS document (without event.original) as JSON.
    doc String CODEC(ZSTD(3)),
    -- event.original, kept only when storage.store_original is on.
    original String CODEC(ZSTD(3)),
    origin_topic LowCardinality(String),
    origin_partition Int32,
    origin_offset Int64,
    origin_file String,
    origin_line Int32,
    stored_at DateTime64(3, 'UTC') DEFAULT now64(3),

    INDEX idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_name user_name TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_target_user target_user_name TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_source_ip source_ip TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_destination_ip destination_ip TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_host_name host_name TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_related_users related_users TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_related_ips related_ips TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_related_hosts related_hosts TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = {{.Engine "ReplacingMergeTree"}}
PARTITION BY toYYYYMMDD(timestamp)
ORDER BY (tenant, timestamp, event_id)
TTL toDateTime(timestamp) + INTERVAL {{.RetentionDays}} DAY
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, {{.DedupSetting}};

{{.Distributed "events" "cityHash64(tenant, event_id)"}};
