using Orleans.Concurrency;

namespace K2.Grains.Schedules;

/// <summary>
/// The maintenance's schedule: starts the maintenance at each due time, and runs it when an operator asks. Being one
/// grain in the cluster, it is the one place that knows whether a maintenance is going, wherever it was started.
/// </summary>
public interface IMaintenanceGrain : IScheduleGrain
{
    /// <summary>
    /// Compacts, expires snapshots, removes orphans and audits every cold table now and reports each task; null (nothing
    /// done) when a maintenance, scheduled or asked for, is going already. Interleaves like <see cref="IOffloadGrain.RunNowAsync"/>.
    /// </summary>
    [AlwaysInterleave]
    [ResponseTimeout(ScheduleNames.AskedRunTimeout)]
    Task<MaintenanceReport?> RunNowAsync();
}
