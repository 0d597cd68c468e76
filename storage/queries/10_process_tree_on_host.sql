-- Processes started on a host in a time range, with their parents and
-- command lines (what ran on this machine?).
-- params: tenant, host, since, until
SELECT timestamp, user_name, process_parent_name, process_name, process_pid, process_command_line
FROM events
WHERE tenant = {tenant:String}
  AND host_name = {host:String}
  AND process_name != ''
  AND timestamp BETWEEN {since:DateTime64(3, 'UTC')} AND {until:DateTime64(3, 'UTC')}
ORDER BY timestamp
LIMIT 1 BY event_id
