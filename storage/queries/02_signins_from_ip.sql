-- Every sign-in from this IP address (IPv4 or IPv6), newest first.
-- params: tenant, ip
SELECT timestamp, user_name, dataset, action, outcome, source_country, user_agent
FROM events
WHERE tenant = {tenant:String}
  AND source_ip = toIPv6({ip:String})
  AND has(category, 'authentication')
ORDER BY timestamp DESC
LIMIT 1 BY event_id
LIMIT 1000
