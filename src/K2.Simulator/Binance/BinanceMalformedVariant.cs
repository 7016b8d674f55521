namespace K2.Simulator.Binance;

/// <summary>
/// The ways a simulated Binance frame can be broken. Each breaks exactly one thing in an otherwise valid trade
/// event, and each is one K2's parser must reject: a session that stores any of them has a validation hole.
/// </summary>
internal enum BinanceMalformedVariant : byte
{
    /// <summary>The frame stops halfway through: not valid JSON.</summary>
    TruncatedJson,

    /// <summary>Valid JSON, but an array around the event instead of an object.</summary>
    NotAnObject,

    /// <summary>A trade event without <c>"p"</c>.</summary>
    MissingPrice,

    /// <summary><c>"p":"-1.00000000"</c>.</summary>
    NegativePrice,

    /// <summary><c>"p":"1.000000001"</c>: nine significant decimals, more than K2 stores exactly.</summary>
    NineDecimalPrice,

    /// <summary>A symbol no registry lists.</summary>
    UnknownSymbol,

    /// <summary><c>"t":"123"</c>: the trade id as a string.</summary>
    TradeIdAsString,

    /// <summary>A trade time ten minutes after the event leaves the server.</summary>
    TradeTimeInFuture,
}
