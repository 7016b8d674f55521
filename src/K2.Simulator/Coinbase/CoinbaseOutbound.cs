using K2.Simulator.WebSockets;

namespace K2.Simulator.Coinbase;

/// <summary>
/// One item of a connection's outgoing queue: a rendered message, or the end of the session once everything queued
/// before it has been sent (so the error that explains a disconnect arrives before the close).
/// </summary>
internal readonly record struct CoinbaseOutbound(byte[]? Payload, SessionEnd? End)
{
    public static CoinbaseOutbound Message(byte[] payload) => new(payload, null);

    public static CoinbaseOutbound Close(SessionEnd end) => new(null, end);
}
