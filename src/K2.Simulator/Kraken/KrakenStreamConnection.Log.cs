using K2.Simulator.WebSockets;

namespace K2.Simulator.Kraken;

internal sealed partial class KrakenStreamConnection
{
    [LoggerMessage(EventId = SimulatorEventIds.SessionOpened, Level = LogLevel.Information, Message = "Kraken session {SessionId} connected")]
    private static partial void LogOpened(ILogger logger, long sessionId);

    [LoggerMessage(EventId = SimulatorEventIds.SessionClosed, Level = LogLevel.Information,
        Message = "Kraken session {SessionId} ended: {Reason} {Detail}")]
    private static partial void LogClosed(ILogger logger, long sessionId, SessionEndReason reason, string? detail);

    [LoggerMessage(EventId = SimulatorEventIds.SessionRateLimited, Level = LogLevel.Warning,
        Message = "Kraken session {SessionId} disconnected: more than {MaxPerSecond} incoming messages in one second")]
    private static partial void LogRateLimited(ILogger logger, long sessionId, int maxPerSecond);

    [LoggerMessage(EventId = SimulatorEventIds.SessionTooSlow, Level = LogLevel.Warning,
        Message = "Kraken session {SessionId} disconnected: the client fell {MaxQueued} messages behind")]
    private static partial void LogTooSlow(ILogger logger, long sessionId, int maxQueued);
}
