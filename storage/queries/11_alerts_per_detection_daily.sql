-- Alert volume per detection and day over the last 14 days (noisy rules first).
-- params: tenant
SELECT day, detection_id, title, alerts, signals, findings, max_severity
FROM alerts_per_detection_daily
WHERE tenant = {tenant:String} AND day >= today() - 14
ORDER BY alerts DESC, day DESC
