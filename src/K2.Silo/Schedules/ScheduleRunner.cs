using System.Diagnostics;

namespace K2.Silo.Schedules;

/// <summary>
/// One run of a schedule around its work: logs its start, end and duration, counts it, and turns a throw into a
/// logged, counted failure, so that a failing run never stops the schedule. A run cancelled because the silo is
/// shutting down is reported as cancelled, not failed. Never throws.
/// </summary>
internal sealed partial class ScheduleRunner(ScheduleMetrics metrics, TimeProvider time, ILogger<ScheduleRunner> logger)
{
    public async Task RunAsync(string schedule, IScheduledRun run, ScheduleFiring firing, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        LogStarted(logger, schedule, firing.ScheduledAt, firing.CatchUp);
        string outcome;
        try
        {
            await run.RunAsync(firing, cancellationToken);
            outcome = "succeeded";
            metrics.RecordSuccess(schedule, time.GetUtcNow());
            LogSucceeded(logger, schedule, firing.ScheduledAt, time.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "cancelled";
            LogCancelled(logger, schedule, firing.ScheduledAt, time.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception exception)
        {
            outcome = "failed";
            metrics.Failures.Add(1, new KeyValuePair<string, object?>("schedule", schedule));
            LogFailed(logger, exception, schedule, firing.ScheduledAt, time.GetElapsedTime(started).TotalSeconds);
        }

        metrics.Runs.Add(1, new TagList { { "schedule", schedule }, { "outcome", outcome } });
        metrics.Duration.Record(time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("schedule", schedule));
    }

    [LoggerMessage(EventId = ScheduleEventIds.RunStarted, Level = LogLevel.Information,
        Message = "Schedule {Schedule} started for {ScheduledAt:O} (catch-up {CatchUp})")]
    private static partial void LogStarted(ILogger logger, string schedule, DateTimeOffset scheduledAt, bool catchUp);

    [LoggerMessage(EventId = ScheduleEventIds.RunSucceeded, Level = LogLevel.Information,
        Message = "Schedule {Schedule} for {ScheduledAt:O} succeeded in {DurationSeconds:F3} s")]
    private static partial void LogSucceeded(ILogger logger, string schedule, DateTimeOffset scheduledAt, double durationSeconds);

    [LoggerMessage(EventId = ScheduleEventIds.RunCancelled, Level = LogLevel.Warning,
        Message = "Schedule {Schedule} for {ScheduledAt:O} cancelled by shutdown after {DurationSeconds:F3} s")]
    private static partial void LogCancelled(ILogger logger, string schedule, DateTimeOffset scheduledAt, double durationSeconds);

    [LoggerMessage(EventId = ScheduleEventIds.RunFailed, Level = LogLevel.Error,
        Message = "Schedule {Schedule} for {ScheduledAt:O} failed after {DurationSeconds:F3} s; it runs again at its next due time")]
    private static partial void LogFailed(ILogger logger, Exception exception, string schedule, DateTimeOffset scheduledAt, double durationSeconds);
}
