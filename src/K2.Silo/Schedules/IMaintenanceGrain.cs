namespace K2.Silo.Schedules;

/// <summary>The maintenance's schedule: starts an <see cref="IMaintenanceRun"/> at each due time.</summary>
public interface IMaintenanceGrain : IScheduleGrain;
