namespace K2.Simulator.Kraken;

/// <summary>What a queued <see cref="KrakenOutbound"/> is.</summary>
internal enum KrakenOutboundKind : byte
{
    /// <summary>A trade message (update or snapshot), rendered when sent.</summary>
    Trades,

    /// <summary>Bytes rendered when queued: the status greeting, a request's answer, a heartbeat.</summary>
    Reply,

    /// <summary>A malformed frame's bytes; counted as <see cref="FaultKind.MalformedFrame"/> once sent.</summary>
    Malformed,
}
