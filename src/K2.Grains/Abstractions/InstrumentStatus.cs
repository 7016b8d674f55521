namespace K2.Grains.Abstractions;

/// <summary>Where an instrument stands: the newest trade passed on, what is still missing, and since when the oldest gap is open.</summary>
[GenerateSerializer, Immutable]
public sealed record InstrumentStatus(
    string Instrument, string? HighestTradeId, DateTimeOffset? NewestTradeAt, int OpenGaps, long MissingTrades, DateTimeOffset? OldestGapSince);
