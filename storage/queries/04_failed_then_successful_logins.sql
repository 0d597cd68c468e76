-- Password guessing that worked: at least 5 failed logins for a user from
-- one address, and a failure followed by a success within 30 minutes.
-- params: tenant, since
SELECT user_name, source_ip,
    countIf(outcome = 'failure') AS failures,
    countIf(outcome = 'success') AS successes,
    min(timestamp) AS first_attempt,
    max(timestamp) AS last_attempt
FROM events FINAL
WHERE tenant = {tenant:String}
  AND has(category, 'authentication')
  AND timestamp >= {since:DateTime64(3, 'UTC')}
GROUP BY user_name, source_ip
HAVING failures >= 5
   AND windowFunnel(1800)(toDateTime(timestamp), outcome = 'failure', outcome = 'success') = 2
ORDER BY failures DESC
