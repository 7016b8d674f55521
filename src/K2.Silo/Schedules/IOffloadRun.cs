namespace K2.Silo.Schedules;

/// <summary>The offload of the hot store to the cold tier, as the offload grain starts it every 15 minutes.</summary>
public interface IOffloadRun : IScheduledRun;
