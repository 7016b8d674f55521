using K2.Core.Exchanges.Kraken;

namespace K2.Grains.Configuration;

/// <summary>The Kraken WS v2 session and its REST backfill. Bound from <c>K2:Exchanges:Kraken</c>.</summary>
public sealed class KrakenOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How many shards the exchange's instruments are dealt over, each with its own session (connection): the
    /// instruments in <c>instruments.yaml</c> order, round-robin. Unset: one, or one per <see cref="ShardSymbols"/> group.
    /// </summary>
    public int? Shards { get; set; }

    /// <summary>
    /// Explicit shards instead of the round-robin: one entry per shard, its canonical symbols separated by commas
    /// (<c>BTC-USD,ETH-USD</c>). Together they must name every Kraken instrument of the registry exactly once.
    /// </summary>
    public List<string> ShardSymbols { get; set; } = [];

    public Uri WebSocketUri { get; set; } = KrakenEndpoints.WebSocketUri;

    public Uri RestBase { get; set; } = KrakenEndpoints.RestBase;

    /// <summary>Kraken publishes no fixed message rate; a handful a second stays far from "Exceeded msg rate".</summary>
    public int MaxOutgoingMessagesPerSecond { get; set; } = 5;

    /// <summary>Application pings: Kraken closes a connection that has sent nothing for about a minute.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan SubscribeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Kraken sends a heartbeat every second when nothing else is sent; ten silent seconds mean a dead connection.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// First reconnect delay. Kraken allows immediate retries after a random drop and asks for at most one every 5 s
    /// after an outage; the backoff doubles from here, so a lasting outage is soon well beyond that.
    /// </summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Public REST calls per second (Kraken's guidance: one a second or less).</summary>
    public int RestRequestsPerSecond { get; set; } = 1;

    /// <summary>Pause after each of Kraken's HTTP-200 "EGeneral:Too many requests" replies (it does not grow; see KrakenTradeHistoryClient).</summary>
    public TimeSpan RestThrottlePause { get; set; } = TimeSpan.FromSeconds(5);
}
