using K2.Core;

namespace K2.Simulator;

/// <summary>A snapshot of one connected WebSocket session.</summary>
/// <param name="Exchange">The exchange the client connected to.</param>
/// <param name="Id">The session's number, unique within its exchange for the simulator's lifetime.</param>
/// <param name="Streams">The streams (channels) the session is subscribed to, in subscription order.</param>
/// <param name="ConnectedAt">When the WebSocket handshake completed.</param>
public sealed record SimulatedSession(Exchange Exchange, long Id, IReadOnlyList<string> Streams, DateTimeOffset ConnectedAt);
