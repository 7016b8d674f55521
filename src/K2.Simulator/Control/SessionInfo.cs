namespace K2.Simulator.Control;

/// <summary>A connected session as the control API returns it; <c>connected_at</c> in µs since 1970.</summary>
internal sealed record SessionInfo(string Exchange, long Id, IReadOnlyList<string> Streams, long ConnectedAt);
