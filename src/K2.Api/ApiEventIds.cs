namespace K2.Api;

/// <summary>Log event ids of K2.Api (4000-4999), so operators can grep one id across processes.</summary>
public static class ApiEventIds
{
    public const int StoreUnavailable = 4001;
    public const int ExportAborted = 4002;
    public const int AdminRefused = 4003;
    public const int AdminAccepted = 4004;
    public const int AdminOffloadRan = 4005;
    public const int AdminMaintenanceRan = 4006;
    public const int AdminRunRefusedBusy = 4007;
    public const int AdminBackfillQueued = 4008;
    public const int ClusterUnavailable = 4009;
}
