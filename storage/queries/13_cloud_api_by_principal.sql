-- Cloud API calls by one user, grouped by service and action, with the
-- vendor event source from the flattened fields. With storage.vendor_fields
-- set to doc, read it from doc instead:
-- JSONExtractString(doc, 'aws', 'cloudtrail', 'eventSource').
-- params: tenant, user, since
SELECT cloud_account_id, cloud_service, action, fields['aws.cloudtrail.eventSource'] AS event_source,
    count() AS calls, countIf(outcome = 'failure') AS failed, min(timestamp) AS first, max(timestamp) AS last
FROM events FINAL
WHERE tenant = {tenant:String}
  AND user_name = {user:String}
  AND cloud_provider != ''
  AND timestamp >= {since:DateTime64(3, 'UTC')}
GROUP BY cloud_account_id, cloud_service, action, event_source
ORDER BY calls DESC
