namespace K2.Silo.Schedules;

/// <summary>The offload's schedule: starts an <see cref="IOffloadRun"/> at each due time.</summary>
public interface IOffloadGrain : IScheduleGrain;
