namespace K2.Silo.Schedules;

/// <summary>Log event ids of the schedules (1100-1199 of K2.Silo's 1000-1999), so operators can grep one id across silos.</summary>
public static class ScheduleEventIds
{
    public const int RunStarted = 1101;
    public const int RunSucceeded = 1102;
    public const int RunFailed = 1103;
    public const int RunCancelled = 1104;
    public const int SchedulesDisabled = 1112;
    public const int ReminderKept = 1113;
    public const int ReminderRegistered = 1114;
    public const int TickSkippedStillRunning = 1115;
    public const int TickSkippedAlreadyRun = 1116;
    public const int CatchingUp = 1117;
    public const int NothingOwed = 1118;
    public const int TickIgnoredDisabled = 1119;
    public const int ReminderRowsRead = 1120;
    public const int ReminderTableReady = 1121;
    public const int ReminderRowWritten = 1122;
    public const int ReminderRowRemoved = 1123;
    public const int AskedForRefused = 1124;
    public const int RunSkippedLeaseHeld = 1125;
    public const int LeaseRenewalFailed = 1126;
    public const int LeaseLost = 1127;
    public const int LeaseReleaseFailed = 1128;
}
