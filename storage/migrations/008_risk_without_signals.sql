-- top_entities_by_risk without signals. Signals (one alert per failed
-- sign-in, MFA push ...) are stored since this version, so that incidents
-- built from them list alerts that resolve; their risk must not pile up in
-- the ranking, which sums the risk of the alerts analysts see.
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
WHERE last_seen >= now64(3) - INTERVAL 7 DAY AND NOT signal
GROUP BY tenant, kind, value
ORDER BY total_risk DESC;
