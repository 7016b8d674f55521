namespace K2.Silo.Schedules;

/// <summary>Log event ids of the schedules (1100-1199 of K2.Silo's 1000-1999), so operators can grep one id across silos.</summary>
public static class ScheduleEventIds
{
    public const int RunStarted = 1101;
    public const int RunSucceeded = 1102;
    public const int RunFailed = 1103;
    public const int RunCancelled = 1104;
    public const int SchedulerStarted = 1110;
    public const int SchedulerStopped = 1111;
    public const int SchedulesDisabled = 1112;
    public const int ScheduleKept = 1113;
    public const int ScheduleStored = 1114;
    public const int ScheduleRemoved = 1115;
}
