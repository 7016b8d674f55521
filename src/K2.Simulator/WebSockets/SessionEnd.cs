using System.Net.WebSockets;

namespace K2.Simulator.WebSockets;

/// <summary>How a session ends: with a close frame when <see cref="CloseStatus"/> is set, otherwise abruptly.</summary>
internal sealed record SessionEnd(
    SessionEndReason Reason,
    WebSocketCloseStatus? CloseStatus = null,
    string? CloseDescription = null,
    string? Detail = null);
