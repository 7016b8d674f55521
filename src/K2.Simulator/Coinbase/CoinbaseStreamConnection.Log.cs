using K2.Simulator.WebSockets;

namespace K2.Simulator.Coinbase;

internal sealed partial class CoinbaseStreamConnection
{
    [LoggerMessage(EventId = SimulatorEventIds.SessionOpened, Level = LogLevel.Information, Message = "Coinbase session {SessionId} connected")]
    private static partial void LogOpened(ILogger logger, long sessionId);

    [LoggerMessage(EventId = SimulatorEventIds.SessionClosed, Level = LogLevel.Information,
        Message = "Coinbase session {SessionId} ended: {Reason} {Detail}")]
    private static partial void LogClosed(ILogger logger, long sessionId, SessionEndReason reason, string? detail);

    [LoggerMessage(EventId = SimulatorEventIds.SessionRateLimited, Level = LogLevel.Warning,
        Message = "Coinbase session {SessionId} disconnected: more than {MaxPerSecond} incoming messages in one second")]
    private static partial void LogRateLimited(ILogger logger, long sessionId, int maxPerSecond);

    [LoggerMessage(EventId = SimulatorEventIds.SessionTooSlow, Level = LogLevel.Warning,
        Message = "Coinbase session {SessionId} disconnected: the client fell {MaxQueued} messages behind")]
    private static partial void LogTooSlow(ILogger logger, long sessionId, int maxQueued);

    [LoggerMessage(EventId = SimulatorEventIds.SessionClosed, Level = LogLevel.Warning,
        Message = "Coinbase session {SessionId} disconnected: no subscribe within {Timeout}")]
    private static partial void LogSubscribeTimeout(ILogger logger, long sessionId, TimeSpan timeout);
}
