namespace K2.Grains.Abstractions;

/// <summary>What an exchange session is doing, for the dashboard and readiness.</summary>
[GenerateSerializer, Immutable]
public sealed record ExchangeSessionStatus(
    string Exchange,
    bool Connected,
    int SubscribedStreams,
    long Connections,
    long TradesReceived,
    long TradesRejected,
    DateTimeOffset? LastFrameAt)
{
    /// <summary>The exchange shard the session belongs to (<c>binance/0</c>).</summary>
    [Id(7)]
    public string? Shard { get; init; }

    /// <summary><see cref="ExchangeShardStates.Running"/> or <see cref="ExchangeShardStates.Stopped"/>.</summary>
    [Id(8)]
    public string? State { get; init; }

    /// <summary>The silo the shard's grain is active on.</summary>
    [Id(9)]
    public string? Silo { get; init; }

    /// <summary>
    /// When the session first received a frame, over all its connections: the session belongs to the shard's current
    /// activation, so this is when the shard began streaming on its silo (after a failover, on the survivor).
    /// </summary>
    [Id(10)]
    public DateTimeOffset? FirstFrameAt { get; init; }
}
