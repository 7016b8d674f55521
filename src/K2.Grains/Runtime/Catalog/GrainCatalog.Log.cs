using Microsoft.Extensions.Logging;

namespace K2.Grains.Runtime;

internal sealed partial class GrainCatalog
{
    [LoggerMessage(EventId = GrainsEventIds.IdleActivationsCollected, Level = LogLevel.Debug, Message = "Deactivating {Count} idle activations")]
    private static partial void LogIdleActivationsCollected(ILogger logger, int count);

    [LoggerMessage(EventId = GrainsEventIds.GrainMessageRejected, Level = LogLevel.Warning,
        Message = "{Operation} to {GrainId} was not processed: the grain runtime shut down first")]
    private static partial void LogMessageRejected(ILogger logger, string operation, GrainId grainId);

    [LoggerMessage(EventId = GrainsEventIds.GrainRuntimeStopping, Level = LogLevel.Information,
        Message = "Grain runtime stopping: draining and deactivating {Count} activations")]
    private static partial void LogStopping(ILogger logger, int count);

    [LoggerMessage(EventId = GrainsEventIds.GrainRuntimeStopped, Level = LogLevel.Information, Message = "Grain runtime stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = GrainsEventIds.GrainRuntimeStopTimedOut, Level = LogLevel.Warning,
        Message = "Grain runtime stopped with {Count} activations unfinished after {ShutdownTimeout}; their queued messages fail")]
    private static partial void LogStopTimedOut(ILogger logger, int count, TimeSpan shutdownTimeout);
}
