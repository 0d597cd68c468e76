-- Confirmed incidents still open past their customer-notification deadline.
-- (1970-01-01 means "no deadline".)
-- params: tenant
SELECT incident_id, title, severity, status, declared_at, notify_by,
    dateDiff('hour', notify_by, now64(3)) AS hours_overdue, assignee
FROM incidents_latest
WHERE tenant = {tenant:String}
  AND notify_by > toDateTime64(0, 3, 'UTC')
  AND notify_by < now64(3)
  AND status IN ('confirmed', 'contained', 'eradicated')
ORDER BY notify_by
