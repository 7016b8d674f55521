namespace K2.Grains.Schedules;

/// <summary>A schedule's grain, one per silo cluster (key 0), woken by its Orleans reminder.</summary>
public interface IScheduleGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Called once at silo start: registers the reminder unless the stored one already fires as configured, then
    /// starts the catch-up run when K2's records show that the latest due time was missed while K2 was down.
    /// </summary>
    Task StartScheduleAsync();
}
