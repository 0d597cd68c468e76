-- The timeline of one incident: who changed what, when.
-- params: incident_id
SELECT at, actor, action, from_status, to_status, detail, ref
FROM incident_timeline FINAL
WHERE incident_id = {incident_id:String}
ORDER BY at, entry_id
