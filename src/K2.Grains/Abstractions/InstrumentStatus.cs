namespace K2.Grains.Abstractions;

/// <summary>Where an instrument stands: the newest trade passed on and what is still missing.</summary>
public sealed record InstrumentStatus(string Instrument, string? HighestTradeId, DateTimeOffset? NewestTradeAt, int OpenGaps, long MissingTrades);
