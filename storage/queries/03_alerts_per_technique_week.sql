-- Alerts per MITRE ATT&CK technique over the last 7 days.
-- params: tenant
SELECT technique, count() AS alerts, uniqExact(detection_id) AS detections, max(severity) AS max_severity
FROM alerts FINAL
ARRAY JOIN techniques AS technique
WHERE tenant = {tenant:String}
  AND timestamp >= now64(3) - INTERVAL 7 DAY
  AND NOT signal
GROUP BY technique
ORDER BY alerts DESC
