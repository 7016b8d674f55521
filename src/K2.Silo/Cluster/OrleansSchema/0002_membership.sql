-- Cluster membership for Microsoft.Orleans.Clustering.AdoNet 10.4.2. The provider calls a cluster's id DeploymentId.
--
-- Every cluster has one version row; every silo incarnation (address, port, generation) one member row. The provider
-- reads the version with the rows and sends it back with each insert or update of a member row: the write succeeds,
-- and the version goes up by one, only if the version is still the one it read. Both happen in one statement, so a
-- refused write changes nothing. Statements that answer yes or no return exactly one row with one boolean column.
-- Times are timestamptz: the provider binds its UTC DateTime values as timestamptz and reads them back as UTC.

CREATE TABLE OrleansMembershipVersionTable (
    DeploymentId varchar(150) PRIMARY KEY,
    Timestamp timestamptz NOT NULL DEFAULT now(),
    Version integer NOT NULL DEFAULT 0
);

CREATE TABLE OrleansMembershipTable (
    DeploymentId varchar(150) NOT NULL
        REFERENCES OrleansMembershipVersionTable (DeploymentId) ON DELETE CASCADE,
    Address varchar(45) NOT NULL,        -- IP address text (IPv6 at most 45 characters)
    Port integer NOT NULL,
    Generation integer NOT NULL,
    SiloName varchar(150) NOT NULL,
    HostName varchar(150) NOT NULL,
    Status integer NOT NULL,             -- Orleans.Runtime.SiloStatus: 2 Joining, 3 Active, 4 ShuttingDown, 6 Dead, ...
    ProxyPort integer NOT NULL,          -- the gateway port; 0 when the silo is no gateway
    SuspectTimes text,                   -- "suspecting silo,time|..." in the provider's own format; NULL when none
    StartTime timestamptz NOT NULL,
    IAmAliveTime timestamptz NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- At silo start (tryInitTableVersion): true when this call created the cluster's version row.
('InsertMembershipVersionKey', $sql$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING DeploymentId
)
SELECT EXISTS (SELECT FROM created)
$sql$),

-- A new silo row, written only if the caller's @Version is current and the silo is not there yet. A key that appears
-- meanwhile fails the INSERT with a unique violation, which the provider reports as a failure.
('InsertMembershipKey', $sql$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND NOT EXISTS (
          SELECT FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), inserted AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM bumped
    RETURNING 1
)
SELECT EXISTS (SELECT FROM inserted)
$sql$),

-- A silo's status, suspicions and heartbeat, written only if the caller's @Version is current and the row exists.
('UpdateMembershipKey', $sql$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND EXISTS (
          SELECT FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), changed AS (
    UPDATE OrleansMembershipTable AS member
    SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
    FROM bumped
    WHERE member.DeploymentId = bumped.DeploymentId
      AND member.Address = @Address AND member.Port = @Port AND member.Generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT FROM changed)
$sql$),

-- The heartbeat: not versioned, and nothing is returned.
('UpdateIAmAlivetimeKey', $sql$
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
$sql$),

-- The version with one silo's row. The outer join yields the version even when the silo has no row (its member
-- columns are then NULL, which the provider reads as "no entry"); no version row means no result at all.
('MembershipReadRowKey', $sql$
SELECT v.DeploymentId, v.Version,
       m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort, m.SuspectTimes,
       m.StartTime, m.IAmAliveTime
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId
$sql$),

-- The version with every row of the cluster, as one snapshot.
('MembershipReadAllKey', $sql$
SELECT v.DeploymentId, v.Version,
       m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort, m.SuspectTimes,
       m.StartTime, m.IAmAliveTime
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId
$sql$),

-- The whole cluster: its version row, and with it (ON DELETE CASCADE) its silo rows.
('DeleteMembershipTableEntriesKey', $sql$
DELETE FROM OrleansMembershipVersionTable
WHERE DeploymentId = @DeploymentId
$sql$),

-- Gateways for clients: the silos in @Status (Active) that listen for clients.
('GatewaysQueryKey', $sql$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0
$sql$),

-- Required by 10.4.2 but used only when CleanupDefunctSiloEntryKey is absent: dead silos last heard of before the
-- cutoff (@IAmAliveTime).
('CleanupDefunctSiloEntriesKey', $sql$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = 6 AND IAmAliveTime < @IAmAliveTime
$sql$),

-- Optional in 10.4.2, and then preferred: the provider reads the table, picks the dead rows whose start, heartbeat and
-- suspicions all precede the cutoff, and deletes each one with the values it read. A row that changed since the read
-- stays. NULL and empty suspicions are the same to the provider, so they compare equal here.
('CleanupDefunctSiloEntryKey', $sql$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
  AND Status = 6
  AND StartTime = @StartTime
  AND IAmAliveTime = @IAmAliveTime
  AND coalesce(SuspectTimes, '') = coalesce(@SuspectTimes, '')
$sql$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
