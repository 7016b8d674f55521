using K2.Simulator.WebSockets;

namespace K2.Simulator.Binance;

/// <summary>
/// One message waiting in a session's outgoing queue. Trades, malformed frames and <c>serverShutdown</c> are
/// rendered only when sent, so their event time is when they leave; a request's answer is rendered when the request
/// is handled, so it reflects the subscriptions at that moment; a close ends the queue.
/// </summary>
/// <param name="Kind">What to send.</param>
/// <param name="Trade">For a trade: the trade.</param>
/// <param name="CombinedStream">The stream name to wrap the event in, or null on a raw connection.</param>
/// <param name="Reply">For a request's answer: its bytes.</param>
/// <param name="Malformed">For a malformed frame: what to break, and in which trade.</param>
/// <param name="End">For a close: how the session ends.</param>
internal readonly record struct BinanceOutbound(
    BinanceOutboundKind Kind,
    PrintedTrade? Trade = null,
    string? CombinedStream = null,
    byte[]? Reply = null,
    BinanceMalformedFrame? Malformed = null,
    SessionEnd? End = null)
{
    /// <summary>The stream name Binance wraps <c>serverShutdown</c> in on combined connections.</summary>
    public const string ServerShutdownStream = "!serverShutdown";

    public static BinanceOutbound ForTrade(PrintedTrade trade, string? combinedStream) => new(BinanceOutboundKind.Trade, trade, combinedStream);

    public static BinanceOutbound ForReply(byte[] reply) => new(BinanceOutboundKind.Reply, Reply: reply);

    public static BinanceOutbound ForMalformed(BinanceMalformedFrame frame) => new(BinanceOutboundKind.Malformed, Malformed: frame);

    public static BinanceOutbound ForServerShutdown(bool combined) =>
        new(BinanceOutboundKind.ServerShutdown, CombinedStream: combined ? ServerShutdownStream : null);

    public static BinanceOutbound ForClose(SessionEnd end) => new(BinanceOutboundKind.Close, End: end);
}
