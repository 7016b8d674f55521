using K2.Core;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Sessions;

internal abstract partial class ExchangeSession
{
    [LoggerMessage(EventId = GrainsEventIds.ExchangeConnected, Level = LogLevel.Information, Message = "{Exchange} connection {ConnectionId} opened to {Uri}")]
    private static partial void LogConnected(ILogger logger, Exchange exchange, string connectionId, Uri uri);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeConnectionFailed, Level = LogLevel.Warning, Message = "{Exchange} could not connect to {Uri}: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, Exchange exchange, Uri uri, string reason);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeConnectionLost, Level = LogLevel.Warning, Message = "{Exchange} connection {ConnectionId} lost: {Reason}")]
    private static partial void LogConnectionLost(ILogger logger, Exchange exchange, string connectionId, string reason);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeClosedByServer, Level = LogLevel.Warning, Message = "{Exchange} closed connection {ConnectionId}")]
    private static partial void LogClosedByServer(ILogger logger, Exchange exchange, string connectionId);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeFrameHandlingFailed, Level = LogLevel.Error, Message = "{Exchange} connection {ConnectionId}: handling a frame failed; reconnecting")]
    private static partial void LogFrameHandlingFailed(ILogger logger, Exception exception, Exchange exchange, string connectionId);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeReconnecting, Level = LogLevel.Information, Message = "{Exchange} reconnecting in {Delay}")]
    private static partial void LogReconnecting(ILogger logger, Exchange exchange, TimeSpan delay);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeStale, Level = LogLevel.Warning, Message = "{Exchange} connection {ConnectionId} silent for {Silent}; reconnecting")]
    private static partial void LogStale(ILogger logger, Exchange exchange, string connectionId, TimeSpan silent);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeSubscribeTimedOut, Level = LogLevel.Warning, Message = "{Exchange} connection {ConnectionId} was not subscribed within {Timeout}; reconnecting")]
    private static partial void LogSubscribeTimedOut(ILogger logger, Exchange exchange, string connectionId, TimeSpan timeout);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeReplacing, Level = LogLevel.Information, Message = "{Exchange} replacing connection {ConnectionId} ({Reason}) with an overlapping one")]
    private static partial void LogReplacing(ILogger logger, Exchange exchange, string connectionId, string reason);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeReplaced, Level = LogLevel.Information, Message = "{Exchange} switched to connection {ConnectionId}")]
    private static partial void LogReplaced(ILogger logger, Exchange exchange, string connectionId);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeFrameRejected, Level = LogLevel.Warning,
        Message = "{Exchange} rejected a trade ({Reason}: {Detail}) in frame {FrameNumber} of {ConnectionId}: {Frame} ({NotLogged} more rejected since the last of these lines; all are counted and in bronze)")]
    private static partial void LogRejected(ILogger logger, Exchange exchange, string reason, string detail, string connectionId, long frameNumber, string frame, long notLogged);
}
