using System.Diagnostics;

namespace K2.Silo.Schedules;

/// <summary>
/// One run of a schedule around its work: takes the schedule's lease (<see cref="LeasedRun"/>) and is skipped when
/// another run holds it; logs its start, end and duration, counts it, and turns a throw into a logged, counted failure,
/// so that a failing run never stops the schedule. A run cancelled because the silo is shutting down is reported as
/// cancelled, not failed. Never throws.
/// </summary>
internal sealed partial class ScheduleRunner(LeasedRun lease, ScheduleMetrics metrics, TimeProvider time, ILogger<ScheduleRunner> logger)
{
    public async Task RunAsync(string schedule, IScheduledRun run, ScheduleFiring firing, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        string outcome;
        try
        {
            var (ran, _) = await lease.RunAsync(schedule, async token =>
            {
                LogStarted(logger, schedule, firing.ScheduledAt, firing.CatchUp);
                await run.RunAsync(firing, token);
                return true;
            }, cancellationToken);
            if (ran)
            {
                outcome = "succeeded";
                metrics.RecordSuccess(schedule, time.GetUtcNow());
                LogSucceeded(logger, schedule, firing.ScheduledAt, time.GetElapsedTime(started).TotalSeconds);
            }
            else
            {
                outcome = "skipped";
            }
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

    /// <summary>
    /// An operator's run under the schedule's lease: its report, or null when another run holds the lease. Failures
    /// reach the caller; the run is not counted among the scheduled runs.
    /// </summary>
    public async Task<TReport?> RunAskedForAsync<TReport>(string schedule, Func<CancellationToken, Task<TReport>> work, CancellationToken cancellationToken)
        where TReport : class =>
        (await lease.RunAsync(schedule, work, cancellationToken)).Result;

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
