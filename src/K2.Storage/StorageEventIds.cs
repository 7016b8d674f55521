namespace K2.Storage;

/// <summary>Log event ids of K2.Storage (2000-2999), so operators can grep one id across processes.</summary>
public static class StorageEventIds
{
    public const int EmbeddedOpened = 2001;
    public const int EmbeddedClosed = 2002;
    public const int EmbeddedCloseTimedOut = 2003;
    public const int MigrationApplied = 2010;
    public const int HotStoreUnavailable = 2011;
    public const int InsertFailed = 2020;
    public const int InsertRecovered = 2021;
    public const int WriterDropped = 2022;
    public const int RowUnencodable = 2023;
    public const int HttpReadRetried = 2030;
    public const int TableOffloaded = 2040;
    public const int MetadataRolledForward = 2041;
    public const int OffloadFailed = 2042;
    public const int MetadataCommitLost = 2043;
    public const int MetadataFileRemoved = 2044;
    public const int MaintenanceTaskDone = 2051;
    public const int MaintenanceTaskFailed = 2052;
    public const int AuditMismatch = 2053;
    public const int ColdBoundsRefreshed = 2060;
    public const int ColdBoundsFailed = 2061;
    public const int CandlesRecomputed = 2070;
}
