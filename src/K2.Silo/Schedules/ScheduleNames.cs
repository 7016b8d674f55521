namespace K2.Silo.Schedules;

/// <summary>The schedules' names: their Quartz job and trigger names, and the <c>schedule</c> tag on logs and metrics.</summary>
public static class ScheduleNames
{
    public const string Offload = "offload";
    public const string Maintenance = "maintenance";

    /// <summary>The Quartz group of K2's jobs and triggers.</summary>
    public const string Group = "k2";
}
