using Orleans.Concurrency;

namespace K2.Grains.Schedules;

/// <summary>
/// The offload's schedule: starts an offload at each due time, and runs one when an operator asks. Being one grain in
/// the cluster, it is the one place that knows whether an offload is going, wherever it was started.
/// </summary>
public interface IOffloadGrain : IScheduleGrain
{
    /// <summary>
    /// Offloads every cold table now and reports each table's commit; null (nothing done) when an offload, scheduled or
    /// asked for, is going already. Interleaves, so that a second call can be answered while the first runs; waits
    /// for the run up to <see cref="ScheduleNames.AskedRunTimeout"/>, far beyond Orleans' 30 s default.
    /// </summary>
    [AlwaysInterleave]
    [ResponseTimeout(ScheduleNames.AskedRunTimeout)]
    Task<OffloadReport?> RunNowAsync();
}
