using K2.Core.Exchanges.Binance;
using K2.Simulator.WebSockets;

namespace K2.Simulator.Binance;

internal sealed partial class BinanceStreamConnection
{
    [LoggerMessage(EventId = SimulatorEventIds.SessionOpened, Level = LogLevel.Information,
        Message = "Binance session {SessionId} connected (streams: {Streams}; time unit: {TimeUnit})")]
    private static partial void LogOpened(ILogger logger, long sessionId, string streams, BinanceTimeUnit timeUnit);

    [LoggerMessage(EventId = SimulatorEventIds.SessionClosed, Level = LogLevel.Information,
        Message = "Binance session {SessionId} ended: {Reason} {Detail}")]
    private static partial void LogClosed(ILogger logger, long sessionId, SessionEndReason reason, string? detail);

    [LoggerMessage(EventId = SimulatorEventIds.SessionRateLimited, Level = LogLevel.Warning,
        Message = "Binance session {SessionId} disconnected: more than {MaxPerSecond} incoming messages in one second")]
    private static partial void LogRateLimited(ILogger logger, long sessionId, int maxPerSecond);

    [LoggerMessage(EventId = SimulatorEventIds.SessionTooSlow, Level = LogLevel.Warning,
        Message = "Binance session {SessionId} disconnected: the client fell {MaxQueued} messages behind")]
    private static partial void LogTooSlow(ILogger logger, long sessionId, int maxQueued);

    [LoggerMessage(EventId = SimulatorEventIds.FaultInjected, Level = LogLevel.Information,
        Message = "Binance session {SessionId}: {Fault}")]
    private static partial void LogFault(ILogger logger, long sessionId, FaultKind fault);
}
