using K2.Core.Exchanges.Coinbase;

namespace K2.Grains.Configuration;

/// <summary>The Coinbase Advanced Trade session and its REST backfill. Bound from <c>K2:Exchanges:Coinbase</c>.</summary>
public sealed class CoinbaseOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How many shards the exchange's instruments are dealt over, each with its own session (connection): the
    /// instruments in <c>instruments.yaml</c> order, round-robin. Unset: one, or one per <see cref="ShardSymbols"/> group.
    /// </summary>
    public int? Shards { get; set; }

    /// <summary>
    /// Explicit shards instead of the round-robin: one entry per shard, its canonical symbols separated by commas
    /// (<c>BTC-USD,ETH-USD</c>). Together they must name every Coinbase instrument of the registry exactly once.
    /// </summary>
    public List<string> ShardSymbols { get; set; } = [];

    public Uri WebSocketUri { get; set; } = CoinbaseEndpoints.WebSocketBase;

    public Uri RestBase { get; set; } = CoinbaseEndpoints.RestBase;

    /// <summary>
    /// Whether <c>market_trades.side</c> is the taker's (the default, as two maintained normalizers read it) or the
    /// maker's (as the docs say). See docs/EXCHANGES.md, "Coinbase side semantics".
    /// </summary>
    public CoinbaseSideConvention SideConvention { get; set; } = CoinbaseSideConvention.Taker;

    /// <summary>
    /// Whether Coinbase numbers each product's trades without holes, so a jump in ids is a gap (as the simulator does
    /// and public captures suggest, but Coinbase does not document; see the research notes' open question 2). When
    /// false, gaps are found only by sequence numbers and reconnects, and repaired by time.
    /// </summary>
    public bool TradeIdsAreSequential { get; set; } = true;

    /// <summary>Coinbase allows 8 unauthenticated messages a second per IP; the rest is headroom.</summary>
    public int MaxOutgoingMessagesPerSecond { get; set; } = 6;

    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the subscriptions may take to be confirmed. (Coinbase's own 5 s rule is about sending the subscribe,
    /// which the session does at once.)
    /// </summary>
    public TimeSpan SubscribeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The heartbeats channel ticks every second; ten silent seconds mean a dead connection.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Public REST calls per second.</summary>
    public int RestRequestsPerSecond { get; set; } = 5;
}
