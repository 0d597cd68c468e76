-- deliveries: the escalation outbox. Each change to a delivery is a new row
-- with a higher version; ReplacingMergeTree(version) on (tenant,
-- delivery_key) keeps the latest. The dispatcher reads pending rows with FINAL.
CREATE TABLE IF NOT EXISTS `{{.Database}}`.`{{.Local "deliveries"}}`{{.OnCluster}}
(
    tenant LowCardinality(String),
    delivery_key String,
    incident_id String,
    target LowCardinality(String),
    kind LowCardinality(String),
    level Int32,
    status LowCardinality(String),
    attempts Int32,
    next_attempt_at DateTime64(3, 'UTC'),
    last_error String,
    payload String CODEC(ZSTD(3)),
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    version UInt64,
    stored_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{.Engine "ReplacingMergeTree" "version"}}
ORDER BY (tenant, delivery_key)
SETTINGS index_granularity = 1024, {{.DedupSetting}};

{{.Distributed "deliveries" "cityHash64(tenant, delivery_key)"}};
