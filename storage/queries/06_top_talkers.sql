-- Top talkers: source addresses by bytes sent over the last 24 hours.
-- params: tenant
SELECT source_ip, sum(network_bytes) AS bytes, count() AS events,
    uniqExact(destination_ip) AS destinations
FROM events FINAL
WHERE tenant = {tenant:String}
  AND timestamp >= now64(3) - INTERVAL 1 DAY
  AND source_ip != toIPv6('::')
GROUP BY source_ip
ORDER BY bytes DESC
LIMIT 20
