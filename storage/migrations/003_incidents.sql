-- incidents: every stored version of every incident.
--
-- ENGINE ReplacingMergeTree(version): escalate writes a new row with a higher
-- version on every change; the highest version is the current state. Read it
-- through the incidents_latest view (FINAL) or argMax(..., version).
-- ORDER BY (tenant, incident_id): the key is the incident's identity, so all
-- versions collapse. No partitioning: incidents are few and live long.
CREATE TABLE IF NOT EXISTS `{{.Database}}`.`{{.Local "incidents"}}`{{.OnCluster}}
(
    tenant LowCardinality(String),
    incident_id String,
    title String,
    summary String,
    severity Enum8('unknown' = 0, 'info' = 1, 'low' = 2, 'medium' = 3, 'high' = 4, 'critical' = 5),
    confidence Int32,
    risk_score Int32,
    status LowCardinality(String),
    rule LowCardinality(String),
    kind LowCardinality(String),
    key String,
    first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'),
    entity_kinds Array(LowCardinality(String)),
    entity_values Array(String),
    tactics Array(LowCardinality(String)),
    techniques Array(LowCardinality(String)),
    detection_ids Array(LowCardinality(String)),
    alert_ids Array(String),
    event_ids Array(String),
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    -- 1970-01-01 00:00:00 means "not set" in the four columns below.
    declared_at DateTime64(3, 'UTC'),
    contained_at DateTime64(3, 'UTC'),
    closed_at DateTime64(3, 'UTC'),
    notify_by DateTime64(3, 'UTC'),
    assignee LowCardinality(String),
    version UInt64,
    stored_at DateTime64(3, 'UTC') DEFAULT now64(3),

    INDEX idx_incident_id incident_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_last_seen last_seen TYPE minmax GRANULARITY 1
)
ENGINE = {{.Engine "ReplacingMergeTree" "version"}}
ORDER BY (tenant, incident_id)
SETTINGS index_granularity = 1024, {{.DedupSetting}};

{{.Distributed "incidents" "cityHash64(tenant, incident_id)"}};

-- incident_timeline: append-only log of changes to incidents.
-- ReplacingMergeTree on (tenant, incident_id, entry_id): a retried or replayed
-- entry (stable id) is stored once. Sharded by incident so that one
-- incident's timeline lives on one shard.
CREATE TABLE IF NOT EXISTS `{{.Database}}`.`{{.Local "incident_timeline"}}`{{.OnCluster}}
(
    tenant LowCardinality(String),
    incident_id String,
    entry_id String,
    at DateTime64(3, 'UTC'),
    actor LowCardinality(String),
    action LowCardinality(String),
    from_status LowCardinality(String),
    to_status LowCardinality(String),
    detail String,
    ref String,
    stored_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{.Engine "ReplacingMergeTree"}}
ORDER BY (tenant, incident_id, entry_id)
SETTINGS index_granularity = 1024, {{.DedupSetting}};

{{.Distributed "incident_timeline" "cityHash64(tenant, incident_id)"}};
