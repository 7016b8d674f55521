namespace K2.Silo.Schedules;

/// <summary>
/// The offload of the hot store to the cold tier, as the offload schedule calls it. Registering an implementation is
/// what turns the schedule on: without one, nothing fires it.
/// </summary>
public interface IOffloadRun
{
    /// <summary>
    /// Offloads everything due. Runs on exactly one silo at a time; a throw is logged and counted and the next firing
    /// still comes. <paramref name="cancellationToken"/> ends when the silo shuts down.
    /// </summary>
    Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken);
}
