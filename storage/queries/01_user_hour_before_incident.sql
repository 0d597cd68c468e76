-- What did this user do in the hour before the incident started?
-- params: tenant, user, incident_id
SELECT timestamp, dataset, action, outcome, source_ip, host_name, message
FROM events
WHERE tenant = {tenant:String}
  AND (user_name = {user:String} OR has(related_users, {user:String}))
  AND timestamp BETWEEN
      (SELECT first_seen FROM incidents_latest WHERE incident_id = {incident_id:String}) - INTERVAL 1 HOUR
      AND (SELECT first_seen FROM incidents_latest WHERE incident_id = {incident_id:String})
ORDER BY timestamp
LIMIT 1 BY event_id
