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

    /// <summary>REST "Recent trades list": the newest trades of one symbol.</summary>
    public const string RecentTradesPath = "/api/v3/trades";

    /// <summary>REST "Old trade lookup": trades from <c>fromId</c> on; K2's backfill pages through it.</summary>
    public const string HistoricalTradesPath = "/api/v3/historicalTrades";

    /// <summary>
    /// REST "Compressed/Aggregate trades list": by aggregate id, or from a time in milliseconds (<c>startTime</c>,
    /// <c>endTime</c>, both inclusive); each aggregate names its first and last trade id, so K2 finds where a time
    /// range starts in the trade ids <see cref="HistoricalTradesPath"/> pages by.
    /// </summary>
    public const string AggregateTradesPath = "/api/v3/aggTrades";

    /// <summary>Request weight of <see cref="AggregateTradesPath"/> (raised from 2 on 2025-03-10).</summary>
    public const int AggregateTradesWeight = 4;

    /// <summary>Request weight of <see cref="RecentTradesPath"/>.</summary>
    public const int RecentTradesWeight = 25;

    /// <summary>Request weight of <see cref="HistoricalTradesPath"/> (raised from 10 on 2024-04-04).</summary>
    public const int HistoricalTradesWeight = 25;

    /// <summary>REQUEST_WEIGHT limit per IP per minute; beyond it Binance answers 429 with <c>Retry-After</c>.</summary>
    public const int MaxRequestWeightPerMinute = 6000;

    /// <summary>The window <see cref="MaxRequestWeightPerMinute"/> is counted over.</summary>
    public static readonly TimeSpan RequestWeightInterval = TimeSpan.FromMinutes(1);

    /// <summary>Trades a trade lookup returns without <c>limit</c>.</summary>
    public const int DefaultRestLimit = 500;

    /// <summary>The largest <c>limit</c> a trade lookup accepts.</summary>
    public const int MaxRestLimit = 1000;

    /// <summary>Request header selecting <c>MICROSECOND</c> (or the default <c>MILLISECOND</c>) for every time in a REST response.</summary>
    public const string TimeUnitHeader = "X-MBX-TIME-UNIT";

    /// <summary>Response header carrying the request weight this IP used in the current minute.</summary>
    public const string UsedWeightHeader = "X-MBX-USED-WEIGHT-1M";
}
