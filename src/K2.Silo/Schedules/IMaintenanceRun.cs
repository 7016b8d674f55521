namespace K2.Silo.Schedules;

/// <summary>
/// The daily maintenance of the cold tier, as the maintenance schedule calls it. Registering an implementation is
/// what turns the schedule on: without one, nothing fires it.
/// </summary>
public interface IMaintenanceRun
{
    /// <summary>
    /// Runs every maintenance task. Runs on exactly one silo at a time; a throw is logged and counted and the next
    /// firing still comes. <paramref name="cancellationToken"/> ends when the silo shuts down.
    /// </summary>
    Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken);
}
