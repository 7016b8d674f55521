namespace K2.Simulator.Kraken;

/// <summary>The ways the simulated Kraken breaks a trade message; K2's parser must reject each.</summary>
internal enum KrakenMalformedVariant : byte
{
    /// <summary>A trade update cut off mid-way: not JSON.</summary>
    TruncatedJson,

    /// <summary><c>"price":"83744.3"</c>: a string where Kraken sends a number.</summary>
    PriceAsString,

    /// <summary>A trade without <c>trade_id</c>.</summary>
    MissingTradeId,

    /// <summary><c>"qty":-0.5</c>.</summary>
    NegativeQuantity,

    /// <summary>A symbol no registry lists.</summary>
    UnknownSymbol,

    /// <summary><c>"timestamp":"2026-13-45T25:61:61.000000Z"</c>: not a time.</summary>
    BadTimestamp,
}
