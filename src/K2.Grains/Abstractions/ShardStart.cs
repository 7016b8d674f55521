namespace K2.Grains.Abstractions;

/// <summary>What a keeper's ping (<see cref="IExchangeGrain.EnsureRunningAsync"/>) did to the shard's session.</summary>
[GenerateSerializer]
public enum ShardStart
{
    /// <summary>The session was running.</summary>
    AlreadyRunning,

    /// <summary>The session was not running and is now: K2 starting, or a shard lost with its silo.</summary>
    Started,

    /// <summary>The shard arrived here by a planned handover from another silo, and its session is now running.</summary>
    StartedAfterHandOver,
}
