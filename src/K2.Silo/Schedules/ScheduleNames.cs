namespace K2.Silo.Schedules;

/// <summary>The schedules' names: their reminder names, and the <c>schedule</c> tag on logs and metrics.</summary>
public static class ScheduleNames
{
    public const string Offload = "offload";
    public const string Maintenance = "maintenance";
}
