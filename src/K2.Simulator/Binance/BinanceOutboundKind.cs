namespace K2.Simulator.Binance;

/// <summary>What a <see cref="BinanceOutbound"/> carries.</summary>
internal enum BinanceOutboundKind : byte
{
    /// <summary>A trade event: subject to duplication and reordering.</summary>
    Trade,

    /// <summary>The answer to a request.</summary>
    Reply,

    /// <summary>A deliberately broken frame.</summary>
    Malformed,

    /// <summary>The <c>serverShutdown</c> event.</summary>
    ServerShutdown,

    /// <summary>The server closes the connection (shutdown grace over, or lifetime reached) after what is queued before.</summary>
    Close,
}
