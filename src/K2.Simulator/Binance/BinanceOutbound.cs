namespace K2.Simulator.Binance;

/// <summary>
/// One message waiting in a session's outgoing queue: a trade, serialized only when sent, or a request's answer,
/// serialized when the request was handled so that it reflects the subscriptions at that moment.
/// </summary>
internal readonly record struct BinanceOutbound(PrintedTrade? Trade, string? CombinedStream, byte[]? Reply)
{
    /// <param name="trade">The trade.</param>
    /// <param name="combinedStream">The stream name to wrap the event in, or null on a raw connection.</param>
    public static BinanceOutbound ForTrade(PrintedTrade trade, string? combinedStream) => new(trade, combinedStream, null);

    public static BinanceOutbound ForReply(byte[] reply) => new(null, null, reply);
}
