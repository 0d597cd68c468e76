-- Views for analysts and for the API. Plain views: they read the base tables
-- at query time (with FINAL where a row may have several versions), so they
-- are always exact and cost nothing at insert time.

-- incidents_latest: the current version of every incident.
CREATE OR REPLACE VIEW `{{.Database}}`.incidents_latest{{.OnCluster}} AS
SELECT * EXCEPT (stored_at)
FROM `{{.Database}}`.incidents FINAL;

-- incident_evidence(incident_id = '...'): one row per (alert, event) of an
-- incident, with the event's key fields. A parameterized view: the incident
-- id narrows every table read (the events read uses the event_id bloom
-- index) instead of joining the whole events table.
CREATE OR REPLACE VIEW `{{.Database}}`.incident_evidence{{.OnCluster}} AS
SELECT
    i.tenant AS tenant,
    i.incident_id AS incident_id,
    i.title AS incident_title,
    i.status AS incident_status,
    i.severity AS incident_severity,
    a.alert_id AS alert_id,
    a.detection_id AS detection_id,
    a.title AS alert_title,
    a.severity AS alert_severity,
    a.techniques AS techniques,
    a.event_id AS event_id,
    e.timestamp AS event_time,
    e.dataset AS dataset,
    e.action AS action,
    e.outcome AS outcome,
    e.user_name AS user_name,
    e.source_ip AS source_ip,
    e.host_name AS host_name,
    e.message AS message
FROM
(
    SELECT tenant, incident_id, title, status, severity, arrayJoin(alert_ids) AS alert_id
    FROM `{{.Database}}`.incidents FINAL
    WHERE incident_id = {incident_id:String}
) AS i
{{.Global}}INNER JOIN
(
    SELECT tenant, alert_id, detection_id, title, severity, techniques,
        arrayJoin(if(empty(event_ids), [''], event_ids)) AS event_id
    FROM `{{.Database}}`.alerts FINAL
    WHERE alert_id {{.Global}}IN (
        SELECT arrayJoin(alert_ids) FROM `{{.Database}}`.incidents FINAL
        WHERE incident_id = {incident_id:String})
) AS a ON a.tenant = i.tenant AND a.alert_id = i.alert_id
{{.Global}}LEFT JOIN
(
    SELECT tenant, event_id, timestamp, dataset, action, outcome, user_name, source_ip, host_name, message
    FROM `{{.Database}}`.events
    WHERE event_id {{.Global}}IN (
        SELECT arrayJoin(event_ids) FROM `{{.Database}}`.alerts FINAL
        WHERE alert_id {{.Global}}IN (
            SELECT arrayJoin(alert_ids) FROM `{{.Database}}`.incidents FINAL
            WHERE incident_id = {incident_id:String}))
    LIMIT 1 BY tenant, event_id
) AS e ON e.tenant = a.tenant AND e.event_id = a.event_id;

-- alerts_per_detection_daily: alert volume per detection and day. Signals
-- (building blocks for correlation) are counted apart.
CREATE OR REPLACE VIEW `{{.Database}}`.alerts_per_detection_daily{{.OnCluster}} AS
SELECT
    tenant,
    toDate(timestamp) AS day,
    detection_id,
    any(title) AS title,
    max(severity) AS max_severity,
    countIf(NOT signal) AS alerts,
    countIf(signal) AS signals,
    sum(count) AS findings,
    uniqExactArray(entity_values) AS entities
FROM `{{.Database}}`.alerts FINAL
GROUP BY tenant, day, detection_id;

-- top_entities_by_risk: entities ranked by the summed risk of their alerts
-- over the last 7 days.
CREATE OR REPLACE VIEW `{{.Database}}`.top_entities_by_risk{{.OnCluster}} AS
SELECT
    tenant,
    kind AS entity_kind,
    value AS entity_value,
    sum(risk_score) AS total_risk,
    count() AS alerts,
    uniqExact(detection_id) AS detections,
    max(severity) AS max_severity,
    min(timestamp) AS first_seen,
    max(last_seen) AS last_activity
FROM `{{.Database}}`.alerts FINAL
ARRAY JOIN entity_kinds AS kind, entity_values AS value
WHERE last_seen >= now64(3) - INTERVAL 7 DAY
GROUP BY tenant, kind, value
ORDER BY total_risk DESC;
