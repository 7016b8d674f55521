namespace K2.Simulator;

/// <summary>Every fault the simulator can inject, for counting what actually happened.</summary>
public enum FaultKind : byte
{
    /// <summary>A connection cut without a close frame.</summary>
    Drop,

    /// <summary>A printed trade that was not sent on a WebSocket (it stays on REST).</summary>
    SkippedTrade,

    /// <summary>A trade not sent because the connection was stalled (no application message was sent, heartbeats included).</summary>
    StalledTrade,

    /// <summary>A trade frame sent twice.</summary>
    DuplicatedFrame,

    /// <summary>A trade frame held back and sent after the next one.</summary>
    ReorderedFrame,

    /// <summary>A malformed frame delivered to a client.</summary>
    MalformedFrame,

    /// <summary>A <c>serverShutdown</c> announced on a connection (Binance).</summary>
    ServerShutdown,

    /// <summary>A connection closed for reaching its maximum lifetime (Binance's 24 h cut, scaled).</summary>
    LifetimeCut,

    /// <summary>A REST request refused with 429.</summary>
    RestTooManyRequests,

    /// <summary>A REST request refused with 418.</summary>
    RestBanned,

    /// <summary>A REST request answered with Kraken's throttling error.</summary>
    RestThrottled,
}
