namespace K2.Silo.Schedules;

/// <summary>The maintenance of the cold tier, as the maintenance grain starts it daily at 02:00 UTC.</summary>
public interface IMaintenanceRun : IScheduledRun;
