namespace K2.Silo.Admin;

/// <summary>Log event ids of the admin actions (1200-1299 of K2.Silo's 1000-1999), so operators can grep one id across silos.</summary>
public static class AdminEventIds
{
    public const int OffloadRan = 1201;
    public const int MaintenanceRan = 1202;
    public const int RunRefusedBusy = 1203;
    public const int BackfillQueued = 1204;
}
