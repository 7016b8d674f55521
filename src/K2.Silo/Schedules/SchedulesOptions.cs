namespace K2.Silo.Schedules;

/// <summary>
/// When the offload and the maintenance are due. Each is due at <c>Offset + k·Period</c> after 1970-01-01T00:00:00Z
/// for every whole k (UTC), so the defaults land on :00, :15, :30 and :45 and on 02:00 every day. Bound from
/// <c>K2:Schedules</c>.
/// </summary>
public sealed class SchedulesOptions
{
    public const string Section = "K2:Schedules";

    /// <summary>False keeps the schedules off on this silo: no reminder is registered, and ticks of stored ones are ignored.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The offload of the hot store to the cold tier: every 15 minutes, on the quarter hour.</summary>
    public ScheduleOptions Offload { get; set; } = new() { Period = TimeSpan.FromMinutes(15), Offset = TimeSpan.Zero };

    /// <summary>
    /// How long a run's lease on its schedule lasts without renewal (<see cref="LeasedRun"/>); a run renews it every
    /// third of this. A run that cannot renew for about two thirds of it (a pause, the state database unreachable)
    /// stops, and a run that died holding it blocks the schedule's next runs for at most this long. A minute rides out
    /// garbage collection, a silo frozen until the cluster declares it dead (seconds) and state database fail-overs,
    /// and is short beside the offload's 15 minutes.
    /// </summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The cold tier's maintenance: daily at 02:00 UTC.</summary>
    public ScheduleOptions Maintenance { get; set; } = new() { Period = TimeSpan.FromDays(1), Offset = TimeSpan.FromHours(2) };
}

/// <summary>When one schedule is due.</summary>
public sealed class ScheduleOptions
{
    /// <summary>The time between two due times; also the period of the schedule's reminder.</summary>
    public TimeSpan Period { get; set; }

    /// <summary>Where the due times sit within a period: <c>Offset + k·Period</c> after the Unix epoch, UTC.</summary>
    public TimeSpan Offset { get; set; }
}
