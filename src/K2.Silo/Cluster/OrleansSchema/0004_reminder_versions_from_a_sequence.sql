-- Reminder ETags from one sequence instead of a count per row (which restarts at 0 when a row is written anew), so
-- that a reminder removed and registered again never gets back an ETag a caller may still hold for its earlier row.
-- Replaces the text of UpsertReminderRowKey that migration 3 installed.

CREATE SEQUENCE OrleansRemindersTable_Version AS integer CYCLE;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

('UpsertReminderRowKey', $sql$
INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, nextval('OrleansRemindersTable_Version'))
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
SET StartTime = EXCLUDED.StartTime,
    Period = EXCLUDED.Period,
    GrainHash = EXCLUDED.GrainHash,
    Version = EXCLUDED.Version
RETURNING r.Version AS Version
$sql$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
