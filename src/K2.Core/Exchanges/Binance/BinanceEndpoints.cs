namespace K2.Core.Exchanges.Binance;

/// <summary>Binance spot market-data endpoints and the limits K2 must respect (reference/exchanges.md, A1).</summary>
public static class BinanceEndpoints
{
    /// <summary>Market-data-only WebSocket base; carries the same public streams as stream.binance.com.</summary>
    public static readonly Uri WebSocketBase = new("wss://data-stream.binance.vision");

    public static readonly Uri RestBase = new("https://api.binance.com");

    /// <summary>Combined-stream path: every event arrives wrapped as <c>{"stream":…,"data":…}</c>.</summary>
    public const string CombinedStreamPath = "/stream";

    /// <summary>Raw-stream path prefix: <c>/ws/&lt;streamName&gt;</c>.</summary>
    public const string RawStreamPath = "/ws";

    /// <summary>Query parameter that switches every timestamp on the connection from milliseconds to microseconds.</summary>
    public const string TimeUnitMicrosecondQuery = "timeUnit=MICROSECOND";

    /// <summary>Incoming messages (PING, PONG, SUBSCRIBE…) a connection may send per second before it is cut.</summary>
    public const int MaxIncomingMessagesPerSecond = 5;

    /// <summary>Streams one connection may carry.</summary>
    public const int MaxStreamsPerConnection = 1024;

    /// <summary>Binance cuts every connection at 24 hours.</summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromHours(24);

    /// <summary>The server pings every 20 s and drops a client that has not answered within a minute.</summary>
    public static readonly TimeSpan ServerPingInterval = TimeSpan.FromSeconds(20);

    public static readonly TimeSpan PongTimeout = TimeSpan.FromMinutes(1);
}
