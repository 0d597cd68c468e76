-- Entities (users, hosts, addresses, ...) with the highest summed alert risk
-- over the last 7 days.
-- params: tenant
SELECT entity_kind, entity_value, total_risk, alerts, detections, max_severity, last_activity
FROM top_entities_by_risk
WHERE tenant = {tenant:String}
LIMIT 20
