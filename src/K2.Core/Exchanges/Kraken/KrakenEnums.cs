namespace K2.Core.Exchanges.Kraken;

/// <summary>Every shape of message a Kraken WebSocket v2 connection can send, as the parser classifies it.</summary>
public enum KrakenV2FrameKind : byte
{
    /// <summary>
    /// A <c>trade</c> channel message (<see cref="KrakenV2TradeMessageType.Snapshot"/> or
    /// <see cref="KrakenV2TradeMessageType.Update"/>); its valid trades and per-trade rejections went to the lists.
    /// </summary>
    Trades,

    /// <summary>The answer to one symbol of a <c>subscribe</c> request, successful or not.</summary>
    SubscribeResult,

    /// <summary>The answer to one symbol of an <c>unsubscribe</c> request, successful or not.</summary>
    UnsubscribeResult,

    /// <summary><c>{"channel":"heartbeat"}</c>: sent about once a second when nothing else was.</summary>
    Heartbeat,

    /// <summary>The answer to an application-level <c>ping</c>.</summary>
    Pong,

    /// <summary>A <c>status</c> channel message: sent on connecting and when the engine's status changes.</summary>
    Status,

    /// <summary>An error outside any request, e.g. <c>{"Error":"Exceeded msg rate"}</c> before a disconnect.</summary>
    Error,

    /// <summary>Well-formed JSON that K2 does not act on (another channel or method).</summary>
    Ignored,

    /// <summary>A malformed frame: not JSON, or a trade message without its data; see the rejection reason.</summary>
    Rejected,
}

/// <summary>The <c>type</c> of a trade channel message. Descriptive: an unexpected value is kept as Unknown.</summary>
public enum KrakenV2TradeMessageType : byte
{
    Unknown,

    /// <summary>The most recent 50 trades, sent once after a subscription that asked for it; may repeat seen trades.</summary>
    Snapshot,

    /// <summary>New trades, possibly several in one message.</summary>
    Update,
}

/// <summary>The trading engine's state on the <c>status</c> channel. Descriptive: an unexpected value is Unknown.</summary>
public enum KrakenSystemStatus : byte
{
    Unknown,

    /// <summary>Markets operate normally.</summary>
    Online,

    /// <summary>Markets are offline for scheduled maintenance.</summary>
    Maintenance,

    /// <summary>Orders can be cancelled but not placed; no matching, so no trades.</summary>
    CancelOnly,

    /// <summary>Only post-only limit orders; no matching, so no trades.</summary>
    PostOnly,
}

/// <summary>What a <c>GET /0/public/Trades</c> response amounts to.</summary>
public enum KrakenRestOutcome : byte
{
    /// <summary>A page of trades (possibly empty) and its <c>last</c> cursor.</summary>
    Trades,

    /// <summary><c>EGeneral:Too many requests</c>, which Kraken sends with HTTP 200: back off and retry.</summary>
    Throttled,

    /// <summary><c>EQuery:Unknown asset pair</c>: the request names a pair Kraken does not list.</summary>
    UnknownPair,

    /// <summary>Any other error in the <c>error</c> array.</summary>
    Error,

    /// <summary>The body is not Kraken's envelope (truncated, not JSON, a proxy's page).</summary>
    Malformed,
}
