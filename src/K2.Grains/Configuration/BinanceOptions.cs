using K2.Core.Exchanges.Binance;

namespace K2.Grains.Configuration;

/// <summary>The Binance session and its REST backfill. Bound from <c>K2:Exchanges:Binance</c>.</summary>
public sealed class BinanceOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How many shards the exchange's instruments are dealt over, each with its own session (connection): the
    /// instruments in <c>instruments.yaml</c> order, round-robin. Unset: one, or one per <see cref="ShardSymbols"/> group.
    /// </summary>
    public int? Shards { get; set; }

    /// <summary>
    /// Explicit shards instead of the round-robin: one entry per shard, its canonical symbols separated by commas
    /// (<c>BTC-USDT,ETH-USDT</c>). Together they must name every Binance instrument of the registry exactly once.
    /// </summary>
    public List<string> ShardSymbols { get; set; } = [];

    /// <summary>WebSocket base; the session appends <c>/stream</c>. The simulator's base when running offline.</summary>
    public Uri WebSocketBase { get; set; } = BinanceEndpoints.WebSocketBase;

    /// <summary>REST base for backfill (<c>historicalTrades</c> is not on the market-data-only host).</summary>
    public Uri RestBase { get; set; } = BinanceEndpoints.RestBase;

    /// <summary>Streams per SUBSCRIBE message: a few messages instead of one per symbol keeps within 5 messages/s.</summary>
    public int StreamsPerSubscribe { get; set; } = 200;

    /// <summary>
    /// Our own messages per second. Binance cuts a connection over 5 incoming messages a second, counting pongs and
    /// pings too, so one is left for those.
    /// </summary>
    public int MaxOutgoingMessagesPerSecond { get; set; } = 4;

    /// <summary>Client pings that detect a dead connection; Binance pings too, but those are invisible to the application.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection attempt that has not completed the WebSocket upgrade by then is abandoned and retried.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Every SUBSCRIBE must be answered by then, or the connection is replaced.</summary>
    public TimeSpan SubscribeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>On stop, how long to wait for the server to answer our close frame before dropping the socket.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>No frame for this long means the connection is dead, whatever TCP says; liquid symbols trade every second.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Binance cuts connections at 24 h; an overlapping replacement is opened before that.</summary>
    public TimeSpan RotateAfter { get; set; } = TimeSpan.FromHours(23.5);

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>REST request weight K2 spends per minute, below Binance's 6,000 so other clients of the IP keep some.</summary>
    public int RestWeightPerMinute { get; set; } = 4_800;
}
