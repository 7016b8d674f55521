namespace K2.Core.Exchanges.Coinbase;

/// <summary>Every shape of message a Coinbase Advanced Trade market-data connection can send, as the parser classifies it.</summary>
public enum CoinbaseFrameKind : byte
{
    /// <summary>A <c>market_trades</c> message; its valid trades and per-trade rejections are in the caller's lists.</summary>
    MarketTrades,

    /// <summary>A <c>subscriptions</c> message: the connection's subscriptions after a subscribe or unsubscribe.</summary>
    Subscriptions,

    /// <summary>A <c>heartbeats</c> message with its <c>heartbeat_counter</c>.</summary>
    Heartbeat,

    /// <summary><c>{"type":"error","message":…}</c>: a refused request, or the server giving up on the connection.</summary>
    Error,

    /// <summary>Well-formed JSON that is not a message K2 handles (another channel, a request echo).</summary>
    Ignored,

    /// <summary>A frame that is malformed as a whole; the one rejection is also in the caller's list.</summary>
    Rejected,
}

/// <summary>The <c>type</c> of the events of a <c>market_trades</c> message.</summary>
public enum CoinbaseEventType : byte
{
    /// <summary>Not a <c>market_trades</c> message, or one without events.</summary>
    None,

    /// <summary>Recent trades, sent once right after subscribing; may repeat trades seen on an earlier connection.</summary>
    Snapshot,

    /// <summary>The trades of the last batch interval (250 ms).</summary>
    Update,

    /// <summary>A type Coinbase added later; the trades are still taken.</summary>
    Unknown,
}

/// <summary>
/// What the <c>side</c> of an Advanced Trade trade means, which decides K2's taker side. See docs/EXCHANGES.md,
/// "Coinbase side semantics": the docs say maker, the production normalizers that consume this channel say taker.
/// </summary>
public enum CoinbaseSideConvention : byte
{
    /// <summary><c>side</c> is the taker's (aggressor's) side and is taken as is. K2's default.</summary>
    Taker,

    /// <summary><c>side</c> is the maker's (resting order's) side, as the docs say; K2 inverts it to get the taker.</summary>
    Maker,
}
