-- alerts: every alert a detection raised.
--
-- ENGINE ReplacingMergeTree(count): a suppressed alert is re-emitted with the
-- same id and a higher count; the row with the highest count is the current
-- one (on a tie the last inserted wins).
-- ORDER BY (tenant, alert_id): the key is the alert's identity only, so every
-- emission of one alert collapses however its timestamp was filled in; time
-- filters use the partition and the minmax indexes instead.
-- PARTITION BY toYYYYMM(timestamp): alerts are far fewer than events, a month
-- keeps parts large.
CREATE TABLE IF NOT EXISTS `{{.Database}}`.`{{.Local "alerts"}}`{{.OnCluster}}
(
    tenant LowCardinality(String),
    alert_id String,
    detection_id LowCardinality(String),
    title String,
    description String,
    severity Enum8('unknown' = 0, 'info' = 1, 'low' = 2, 'medium' = 3, 'high' = 4, 'critical' = 5),
    confidence Int32,
    risk_score Int32,
    tactics Array(LowCardinality(String)),
    techniques Array(LowCardinality(String)),
    -- entities as parallel arrays: ARRAY JOIN entity_kinds AS kind, entity_values AS value
    entity_kinds Array(LowCardinality(String)),
    entity_values Array(String),
    fields Map(String, String),
    event_ids Array(String),
    -- provenance of the events, parallel arrays
    origin_topics Array(LowCardinality(String)),
    origin_partitions Array(Int32),
    origin_offsets Array(Int64),
    origin_files Array(String),
    origin_lines Array(Int32),
    dataset LowCardinality(String),
    timestamp DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'),
    count UInt32,
    signal Bool,
    policy_version LowCardinality(String),
    detected_at DateTime64(3, 'UTC'),
    stored_at DateTime64(3, 'UTC') DEFAULT now64(3),

    INDEX idx_timestamp timestamp TYPE minmax GRANULARITY 1,
    INDEX idx_last_seen last_seen TYPE minmax GRANULARITY 1,
    INDEX idx_alert_id alert_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_entity_values entity_values TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = {{.Engine "ReplacingMergeTree" "count"}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (tenant, alert_id)
SETTINGS index_granularity = 8192, {{.DedupSetting}};

{{.Distributed "alerts" "cityHash64(tenant, alert_id)"}};
