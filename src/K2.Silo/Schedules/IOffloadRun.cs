using K2.Grains.Schedules;

namespace K2.Silo.Schedules;

/// <summary>The offload of the hot store to the cold tier, as the offload grain starts it every 15 minutes or when asked.</summary>
public interface IOffloadRun : IScheduledRun
{
    /// <summary>The same work as a scheduled run, for an operator: reports each table's commit or error.</summary>
    Task<OffloadReport> RunNowAsync(CancellationToken cancellationToken);
}
