-- Everything behind one incident: its alerts and their evidence events.
-- params: incident_id
SELECT alert_id, detection_id, alert_severity, event_id, event_time, dataset, action, outcome, user_name, source_ip, host_name
FROM incident_evidence(incident_id = {incident_id:String})
ORDER BY event_time, alert_id
