-- The registry the Orleans ADO.NET providers read their statements from. At start each provider runs
-- "SELECT QueryKey, QueryText FROM OrleansQuery" and refuses to start if a key it requires is missing; it then runs
-- each text as a command with named parameters (@DeploymentId, @ServiceId, ...). Unquoted names fold to lower case
-- here; Npgsql matches the provider's column names without regard to case.
--
-- Later migrations install statements with INSERT ... ON CONFLICT (QueryKey) DO UPDATE, so a migration that fixes a
-- statement replaces its text in place.
CREATE TABLE OrleansQuery (
    QueryKey varchar(64) PRIMARY KEY,
    QueryText text NOT NULL
);
