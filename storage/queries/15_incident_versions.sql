-- What was known at each version of one incident, oldest first.
-- The version a page, a declaration or a customer notice was made from:
-- status, severity, evidence counts.
-- params: incident_id
SELECT version, updated_at, status, severity, confidence, risk_score,
    length(alert_ids) AS alerts, length(event_ids) AS events,
    declared_at, notify_by, assignee
FROM incident_versions FINAL
WHERE incident_id = {incident_id:String}
ORDER BY version
