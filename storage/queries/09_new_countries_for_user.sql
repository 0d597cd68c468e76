-- Sign-ins from a country the user had not signed in from in the 30 days
-- before the last day.
-- params: tenant
SELECT user_name, source_country, min(timestamp) AS first_seen, count() AS signins
FROM events FINAL
WHERE tenant = {tenant:String}
  AND has(category, 'authentication') AND outcome = 'success'
  AND timestamp >= now64(3) - INTERVAL 1 DAY
  AND source_country != ''
  AND (user_name, source_country) NOT IN (
      SELECT user_name, source_country FROM events
      WHERE tenant = {tenant:String}
        AND has(category, 'authentication') AND outcome = 'success'
        AND timestamp BETWEEN now64(3) - INTERVAL 31 DAY AND now64(3) - INTERVAL 1 DAY)
GROUP BY user_name, source_country
ORDER BY first_seen
