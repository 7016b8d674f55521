namespace K2.Silo.Schedules;

/// <summary>
/// The work a schedule's grain starts at each due time, and what K2's own records say about when it last ran: the
/// catch-up after downtime is decided from those records, never from reminder history (Orleans skips a tick missed
/// while the silo was down and keeps no record of it).
/// </summary>
public interface IScheduledRun
{
    /// <summary>
    /// Does the work. One run at a time per schedule; a throw is logged and counted and the next due time still
    /// runs. <paramref name="cancellationToken"/> ends when the silo shuts down: the work must be safe to stop at any
    /// point.
    /// </summary>
    Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken);

    /// <summary>
    /// A time within the latest run the state database records (null when it records none), so the schedule can
    /// tell which due time that run stood for: the latest due time at or before it.
    /// </summary>
    Task<DateTimeOffset?> LastRunAtAsync(CancellationToken cancellationToken);
}
