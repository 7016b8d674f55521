namespace K2.Core.Exchanges.Kraken;

/// <summary>
/// Kraken spot endpoints, channel names and the limits K2 must respect (reference/exchanges.md, A2): WebSocket v2
/// for the live trade stream, REST <c>/0/public/Trades</c> for backfill.
/// </summary>
public static class KrakenEndpoints
{
    /// <summary>Public WebSocket v2; TLS with SNI. (v1, <c>wss://ws.kraken.com</c>, carries no trade ids.)</summary>
    public static readonly Uri WebSocketUri = new("wss://ws.kraken.com/v2");

    public static readonly Uri RestBase = new("https://api.kraken.com");

    /// <summary>Recent trades: <c>?pair=XBTUSD&amp;since=…&amp;count=1..1000</c>.</summary>
    public const string TradesPath = "/0/public/Trades";

    public const string TradeChannel = "trade";
    public const string HeartbeatChannel = "heartbeat";
    public const string StatusChannel = "status";

    public const string SubscribeMethod = "subscribe";
    public const string UnsubscribeMethod = "unsubscribe";
    public const string PingMethod = "ping";
    public const string PongMethod = "pong";

    /// <summary>A trade snapshot holds the 50 most recent trades of the symbol.</summary>
    public const int SnapshotTradeCount = 50;

    /// <summary>Kraken sends a heartbeat about once a second on a subscribed connection that has sent nothing else.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The server closes a connection after about a minute of inactivity; any request (a <c>ping</c>) keeps it open.
    /// </summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);

    /// <summary>After an unexpected drop, reconnect at once, but only "a handful" of times in a row.</summary>
    public const int ImmediateReconnectAttempts = 5;

    /// <summary>After maintenance or a long outage, reconnect no more often than once every five seconds.</summary>
    public static readonly TimeSpan ReconnectIntervalAfterDowntime = TimeSpan.FromSeconds(5);

    /// <summary>Cloudflare allows about 150 connection attempts per IP in a rolling 10 minutes…</summary>
    public const int MaxConnectionAttemptsPerWindow = 150;

    public static readonly TimeSpan ConnectionAttemptWindow = TimeSpan.FromMinutes(10);

    /// <summary>…and bans the IP for 10 minutes beyond that.</summary>
    public static readonly TimeSpan ConnectionBanDuration = TimeSpan.FromMinutes(10);

    /// <summary><c>count</c> of <c>/0/public/Trades</c>: 1 to 1000, and 1000 when absent.</summary>
    public const int MaxRestTradesCount = 1000;

    /// <summary>Kraken's guidance for public REST: one call per second or less.</summary>
    public static readonly TimeSpan RestCallInterval = TimeSpan.FromSeconds(1);
}
