namespace K2.Core.Exchanges.Coinbase;

/// <summary>
/// Coinbase Advanced Trade market-data endpoints, channel names and the limits K2 must respect
/// (reference/exchanges.md, A3; docs.cdp.coinbase.com, "WebSocket Overview", "WebSocket Channels", "Rate Limits").
/// </summary>
public static class CoinbaseEndpoints
{
    /// <summary>Public market data: most channels need no authentication.</summary>
    public static readonly Uri WebSocketBase = new("wss://advanced-trade-ws.coinbase.com");

    public static readonly Uri RestBase = new("https://api.coinbase.com");

    /// <summary>Every trade, batched over <see cref="BatchInterval"/>: a <c>snapshot</c> first, then <c>update</c>s.</summary>
    public const string MarketTradesChannel = "market_trades";

    /// <summary>One message per <see cref="HeartbeatInterval"/> with an increasing <c>heartbeat_counter</c>.</summary>
    public const string HeartbeatsChannel = "heartbeats";

    /// <summary>The channel of the acknowledgement sent after a subscribe, listing every current subscription.</summary>
    public const string SubscriptionsChannel = "subscriptions";

    /// <summary>A connection that has not sent a subscribe within this time is disconnected.</summary>
    public static readonly TimeSpan SubscribeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Unauthenticated messages a client may send per second (per IP). Each subscribe names one channel
    /// ("Each channel requires a separate subscription message"), so subscribing counts one message per channel.
    /// </summary>
    public const int MaxIncomingMessagesPerSecond = 8;

    /// <summary>New connections per second per IP (the newer docs page; an older one says 750).</summary>
    public const int MaxConnectionsPerSecond = 8;

    /// <summary>The <c>heartbeats</c> channel ticks once a second.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary><c>market_trades</c> "collects all updates over the last 250 ms and sends them as an update".</summary>
    public static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>"Most channels close within 60-90 seconds if no updates are sent"; subscribing to heartbeats prevents it.</summary>
    public static readonly TimeSpan IdleChannelCloseAfter = TimeSpan.FromSeconds(60);

    /// <summary>The upper end of the idle-close window.</summary>
    public static readonly TimeSpan IdleChannelCloseLatest = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Public market trades (REST): <c>GET /api/v3/brokerage/market/products/{product_id}/ticker</c> with the required
    /// <see cref="TickerLimitParameter"/> and optional <see cref="TickerStartParameter"/>/<see cref="TickerEndParameter"/>
    /// in UNIX seconds. Trades come newest first; there is no cursor, so pages are time windows.
    /// </summary>
    public const string TickerPathPrefix = "/api/v3/brokerage/market/products/";

    public const string TickerPathSuffix = "/ticker";

    public const string TickerLimitParameter = "limit";
    public const string TickerStartParameter = "start";
    public const string TickerEndParameter = "end";

    /// <summary>The most trades K2 asks for per page. Coinbase documents no maximum; the simulator enforces this one.</summary>
    public const int MaxTickerLimit = 1000;

    /// <summary>The path of the public trades of one product, e.g. <c>/api/v3/brokerage/market/products/BTC-USD/ticker</c>.</summary>
    public static string TickerPath(string productId) => TickerPathPrefix + Uri.EscapeDataString(productId) + TickerPathSuffix;
}
