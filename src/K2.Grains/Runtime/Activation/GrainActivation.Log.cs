using Microsoft.Extensions.Logging;

namespace K2.Grains.Runtime;

internal sealed partial class GrainActivation
{
    [LoggerMessage(EventId = GrainsEventIds.GrainActivated, Level = LogLevel.Debug, Message = "Activated {GrainId}")]
    private static partial void LogActivated(ILogger logger, GrainId grainId);

    [LoggerMessage(EventId = GrainsEventIds.GrainActivationFailed, Level = LogLevel.Warning,
        Message = "Activating {GrainId} failed; the message that triggered it fails, later ones get a new activation")]
    private static partial void LogActivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = GrainsEventIds.GrainDeactivated, Level = LogLevel.Debug, Message = "Deactivated {GrainId} ({ReasonCode}: {ReasonDescription})")]
    private static partial void LogDeactivated(ILogger logger, GrainId grainId, DeactivationReasonCode reasonCode, string reasonDescription);

    [LoggerMessage(EventId = GrainsEventIds.GrainDeactivationFailed, Level = LogLevel.Warning, Message = "OnDeactivateAsync of {GrainId} failed")]
    private static partial void LogDeactivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = GrainsEventIds.GrainRequestFailed, Level = LogLevel.Warning, Message = "{Operation} on {GrainId} failed; the caller gets the exception")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, GrainId grainId, string operation);

    [LoggerMessage(EventId = GrainsEventIds.GrainOneWayRequestFailed, Level = LogLevel.Error, Message = "One-way {Operation} on {GrainId} failed")]
    private static partial void LogOneWayRequestFailed(ILogger logger, Exception exception, GrainId grainId, string operation);

    [LoggerMessage(EventId = GrainsEventIds.GrainTimerCallbackFailed, Level = LogLevel.Error, Message = "Timer callback of {GrainId} failed")]
    private static partial void LogTimerCallbackFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = GrainsEventIds.GrainTimerTickSkipped, Level = LogLevel.Debug, Message = "Timer tick of {GrainId} skipped: the mailbox is full")]
    private static partial void LogTimerTickSkipped(ILogger logger, GrainId grainId);
}
