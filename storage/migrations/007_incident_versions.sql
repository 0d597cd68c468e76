-- incident_versions: every version of every incident, kept.
--
-- incidents keeps only the newest version of an incident once its parts
-- merge. A postmortem asks what was known at each step: the evidence and
-- severity of the version that paged the on-call, of the one the customer
-- notice was written from. A materialized view copies every row written to
-- incidents here as it is inserted (a deduplicated retry of an insert is
-- not copied either). ORDER BY (tenant, incident_id, version): one row per
-- version; a version written twice collapses. The view's SELECT * is
-- expanded when it is created: a migration that adds a column to incidents
-- adds it here too and recreates the view.
CREATE TABLE IF NOT EXISTS `{{.Database}}`.`{{.Local "incident_versions"}}`{{.OnCluster}}
AS `{{.Database}}`.`{{.Local "incidents"}}`
ENGINE = {{.Engine "ReplacingMergeTree"}}
ORDER BY (tenant, incident_id, version)
SETTINGS index_granularity = 1024, {{.DedupSetting}};

{{.Distributed "incident_versions" "cityHash64(tenant, incident_id)"}};

CREATE MATERIALIZED VIEW IF NOT EXISTS `{{.Database}}`.`{{.Local "incident_versions_copy"}}`{{.OnCluster}}
TO `{{.Database}}`.`{{.Local "incident_versions"}}`
AS SELECT * FROM `{{.Database}}`.`{{.Local "incidents"}}`;

-- The versions written before this table existed, as far as merges kept
-- them. Through the Distributed tables on a cluster, so every shard's rows
-- are copied to the shard that owns them.
INSERT INTO `{{.Database}}`.incident_versions SELECT * FROM `{{.Database}}`.incidents;
