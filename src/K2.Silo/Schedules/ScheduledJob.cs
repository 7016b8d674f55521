using System.Diagnostics;
using Quartz;

namespace K2.Silo.Schedules;

/// <summary>
/// One firing of a schedule around the run it calls: logs its start, end and duration, counts it, and turns a throw
/// into a logged, counted failure, so that a failing run never stops the schedule. A run cancelled because the silo
/// is shutting down is reported as cancelled, not failed.
/// </summary>
internal abstract partial class ScheduledJob(string schedule, ScheduleMetrics metrics, TimeProvider time, ILogger logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var firing = new ScheduleFiring(context.ScheduledFireTimeUtc ?? context.FireTimeUtc, context.FireTimeUtc, context.Recovering);
        var started = time.GetTimestamp();
        LogStarted(logger, schedule, firing.ScheduledAt, firing.Recovering, context.Scheduler.SchedulerInstanceId);
        string outcome;
        try
        {
            await RunAsync(firing, cancellationToken);
            outcome = "succeeded";
            metrics.RecordSuccess(schedule, time.GetUtcNow());
            LogSucceeded(logger, schedule, time.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "cancelled";
            LogCancelled(logger, schedule, time.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception exception)
        {
            outcome = "failed";
            metrics.Failures.Add(1, new KeyValuePair<string, object?>("schedule", schedule));
            LogFailed(logger, exception, schedule, time.GetElapsedTime(started).TotalSeconds);
        }

        var tags = new TagList { { "schedule", schedule }, { "outcome", outcome } };
        metrics.Runs.Add(1, tags);
        metrics.Duration.Record(time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("schedule", schedule));
    }

    protected abstract Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken);

    [LoggerMessage(EventId = ScheduleEventIds.RunStarted, Level = LogLevel.Information,
        Message = "Schedule {Schedule} started (fire time {ScheduledAt:O}, recovering {Recovering}) on {InstanceId}")]
    private static partial void LogStarted(ILogger logger, string schedule, DateTimeOffset scheduledAt, bool recovering, string instanceId);

    [LoggerMessage(EventId = ScheduleEventIds.RunSucceeded, Level = LogLevel.Information,
        Message = "Schedule {Schedule} succeeded in {DurationSeconds:F3} s")]
    private static partial void LogSucceeded(ILogger logger, string schedule, double durationSeconds);

    [LoggerMessage(EventId = ScheduleEventIds.RunCancelled, Level = LogLevel.Warning,
        Message = "Schedule {Schedule} cancelled by shutdown after {DurationSeconds:F3} s")]
    private static partial void LogCancelled(ILogger logger, string schedule, double durationSeconds);

    [LoggerMessage(EventId = ScheduleEventIds.RunFailed, Level = LogLevel.Error,
        Message = "Schedule {Schedule} failed after {DurationSeconds:F3} s; it fires again at its next time")]
    private static partial void LogFailed(ILogger logger, Exception exception, string schedule, double durationSeconds);
}
