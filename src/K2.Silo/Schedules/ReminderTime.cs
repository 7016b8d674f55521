namespace K2.Silo.Schedules;

/// <summary>
/// Orleans' reminder times (<c>ReminderEntry.StartAt</c>, <c>TickStatus.CurrentTickTime</c>) are UTC <see cref="DateTime"/>s
/// whose kind is not always set; K2 reads them as UTC instants.
/// </summary>
internal static class ReminderTime
{
    public static DateTimeOffset ToUtc(DateTime orleansTime) => new(orleansTime.Ticks, TimeSpan.Zero);
}
