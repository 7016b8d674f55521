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
    DateTimeOffset? LastFrameAt);
