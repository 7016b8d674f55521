namespace K2.Grains.Schedules;

/// <summary>The schedules' names: their reminder names, and the <c>schedule</c> tag on logs and metrics.</summary>
public static class ScheduleNames
{
    public const string Offload = "offload";
    public const string Maintenance = "maintenance";

    /// <summary>
    /// How long a caller waits for a run it asked for. An offload of a day's backlog or a maintenance compacting many
    /// files takes minutes; a run still going after this goes on, and its caller is told it timed out.
    /// </summary>
    public const string AskedRunTimeout = "01:00:00";
}
