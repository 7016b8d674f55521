namespace K2.Silo.Schedules;

/// <summary>
/// The due times of one schedule: <c>Offset + k·Period</c> after the Unix epoch (UTC) for every whole k. Reminder
/// ticks land on them, give or take the few milliseconds between reading the clock and registering the reminder.
/// </summary>
public readonly record struct ScheduleCadence(TimeSpan Period, TimeSpan Offset)
{
    public static ScheduleCadence Of(ScheduleOptions options) => new(options.Period, options.Offset);

    /// <summary>How far off a due time a reminder's start, or one of its ticks, may be and still stand for it.</summary>
    public TimeSpan Tolerance => Period / 10 < TimeSpan.FromSeconds(1) ? Period / 10 : TimeSpan.FromSeconds(1);

    /// <summary>The latest due time at or before <paramref name="time"/>.</summary>
    public DateTimeOffset Latest(DateTimeOffset time)
    {
        var sinceFirst = (time - DateTimeOffset.UnixEpoch - Offset).Ticks;
        var periods = sinceFirst / Period.Ticks - (sinceFirst % Period.Ticks < 0 ? 1 : 0);
        return DateTimeOffset.UnixEpoch + Offset + TimeSpan.FromTicks(periods * Period.Ticks);
    }

    /// <summary>The first due time strictly after <paramref name="time"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset time) => Latest(time) + Period;

    /// <summary>The due time a reminder tick delivered at <paramref name="tickTime"/> stands for.</summary>
    public DateTimeOffset DueTimeOfTick(DateTimeOffset tickTime) => Latest(tickTime + Tolerance);

    /// <summary>Whether <paramref name="time"/> is one of the due times, within <see cref="Tolerance"/>.</summary>
    public bool IsDueTime(DateTimeOffset time) => time + Tolerance - Latest(time + Tolerance) <= 2 * Tolerance;

    public override string ToString() => $"every {Period}, {Offset} into each period counted from the Unix epoch (UTC)";
}
