using K2.Grains.Schedules;

namespace K2.Silo.Schedules;

/// <summary>The maintenance of the cold tier, as the maintenance grain starts it daily at 02:00 UTC or when asked.</summary>
public interface IMaintenanceRun : IScheduledRun
{
    /// <summary>The same work as a scheduled run, for an operator: reports every task, failed ones too, without throwing for them.</summary>
    Task<MaintenanceReport> RunNowAsync(CancellationToken cancellationToken);
}
