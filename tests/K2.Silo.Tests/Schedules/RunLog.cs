using System.Collections.Concurrent;
using K2.Grains.Schedules;
using K2.Silo.Schedules;

namespace K2.Silo.Tests.Schedules;

/// <summary>
/// One run as a test saw it: which schedule, for which due time (an asked-for run's is when it started), whether an
/// operator asked for it, and whether its token ended up cancelled.
/// </summary>
internal sealed record RecordedRun(string Schedule, ScheduleFiring Firing, bool Asked = false)
{
    public bool Cancelled { get; set; }
}

/// <summary>
/// The runs of both schedules as the state database would record them: every start, and each schedule's latest start
/// (what the grains ask for at start). A test keeps one log across silo restarts, and can seed it. What a run does is
/// <see cref="Work"/>: by default it ends at once.
/// </summary>
internal sealed class RunLog
{
    private readonly ConcurrentQueue<RecordedRun> _runs = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastRunAt = new();

    public ChangeSignal Changed { get; } = new();

    /// <summary>What each run does once recorded; a throw or a cancellation is the run's outcome.</summary>
    public Func<RecordedRun, CancellationToken, Task> Work { get; set; } = (_, _) => Task.CompletedTask;

    public IReadOnlyList<RecordedRun> Of(string schedule) => [.. _runs.Where(r => r.Schedule == schedule)];

    /// <summary>Seeds the log as if a run of <paramref name="schedule"/> had started at <paramref name="at"/>.</summary>
    public void Seed(string schedule, DateTimeOffset at) => _lastRunAt[schedule] = at;

    public Task WaitForRunsAsync(string schedule, int count, CancellationToken cancellationToken) =>
        Changed.WaitUntilAsync(() => Of(schedule).Count >= count, $"{schedule} did not start {count} runs", cancellationToken);

    public DateTimeOffset? LastRunAt(string schedule) => _lastRunAt.TryGetValue(schedule, out var at) ? at : null;

    public async Task RecordAsync(string schedule, ScheduleFiring firing, CancellationToken cancellationToken, bool asked = false)
    {
        var run = new RecordedRun(schedule, firing, asked);
        _lastRunAt[schedule] = firing.FiredAt;
        _runs.Enqueue(run);
        Changed.Pulse();
        try
        {
            await Work(run, cancellationToken);
        }
        finally
        {
            run.Cancelled = cancellationToken.IsCancellationRequested;
            Changed.Pulse();
        }
    }
}

/// <summary>
/// One schedule's run, recording into a <see cref="RunLog"/>; registered as the offload or the maintenance run. Asked
/// for, it reports one table (or task) named after the schedule.
/// </summary>
internal sealed class RecordingRun(string schedule, RunLog log, TimeProvider time) : IOffloadRun, IMaintenanceRun
{
    public Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken) => log.RecordAsync(schedule, firing, cancellationToken);

    async Task<OffloadReport> IOffloadRun.RunNowAsync(CancellationToken cancellationToken)
    {
        var now = await RecordAskedAsync(cancellationToken);
        return new OffloadReport(now, 0, true, [new TableOffloadReport(schedule, 1, 1, 1, 1, now, null)]);
    }

    async Task<MaintenanceReport> IMaintenanceRun.RunNowAsync(CancellationToken cancellationToken)
    {
        var now = await RecordAskedAsync(cancellationToken);
        return new MaintenanceReport(now, 0, true, [new MaintenanceTaskReport(schedule, "audit", "ok", "")]);
    }

    public Task<DateTimeOffset?> LastRunAtAsync(CancellationToken cancellationToken) => Task.FromResult(log.LastRunAt(schedule));

    private async Task<DateTimeOffset> RecordAskedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await log.RecordAsync(schedule, new ScheduleFiring(now, now, CatchUp: false), cancellationToken, asked: true);
        return now;
    }
}
