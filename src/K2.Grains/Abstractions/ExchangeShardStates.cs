namespace K2.Grains.Abstractions;

/// <summary>What <see cref="ExchangeSessionStatus.State"/> says.</summary>
public static class ExchangeShardStates
{
    /// <summary>The shard's session runs (connected or reconnecting).</summary>
    public const string Running = "running";

    /// <summary>The grain is active without a running session: stopped, not started yet, or ended on its own until the next ping.</summary>
    public const string Stopped = "stopped";

    /// <summary>The grain did not answer the status in time (its silo just died, or it is activating).</summary>
    public const string Unavailable = "unavailable";
}
