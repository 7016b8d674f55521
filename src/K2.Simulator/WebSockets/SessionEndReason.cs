namespace K2.Simulator.WebSockets;

/// <summary>Why a simulated WebSocket session ended.</summary>
internal enum SessionEndReason : byte
{
    /// <summary>The client sent a close frame.</summary>
    ClientClosed,

    /// <summary>The client sent more messages than the exchange allows.</summary>
    RateLimited,

    /// <summary>The client read too slowly and its outgoing queue filled up.</summary>
    TooSlow,

    /// <summary>The client sent a message larger than the simulator accepts.</summary>
    MessageTooBig,

    /// <summary>A fault cut the connection on purpose.</summary>
    Dropped,

    /// <summary>The transport failed or the keep-alive timed out (no PONG in time).</summary>
    ConnectionLost,

    /// <summary>The simulator is shutting down.</summary>
    ServerStopping,
}
