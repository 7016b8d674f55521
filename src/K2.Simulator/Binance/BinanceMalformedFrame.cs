namespace K2.Simulator.Binance;

/// <summary>One malformed frame waiting to be sent (see <see cref="BinanceMalformedFrames"/>).</summary>
/// <param name="Variant">What is broken.</param>
/// <param name="Symbol">The symbol of a stream the connection carries.</param>
/// <param name="TradeId">An id no real trade has.</param>
/// <param name="Combined">Whether the connection wraps events in the combined-stream envelope.</param>
internal sealed record BinanceMalformedFrame(BinanceMalformedVariant Variant, string Symbol, long TradeId, bool Combined);
