using K2.Grains.Schedules;
using Microsoft.Extensions.Options;

namespace K2.Silo.Schedules;

/// <summary>
/// A schedule as a grain: its Orleans reminder ticks at each due time, and the grain starts the run for that due time
/// unless it already ran or the previous run is still going (one run at a time). The run goes on outside the grain's
/// turn, so a reminder tick (a grain call, bound by the 30 s response timeout) returns at once however long the run
/// takes; the grain stays active while it runs and cancels it when deactivated (at shutdown).
/// <para>
/// Orleans skips a tick missed while the silo was down. So at start the grain asks K2's own records when the work last
/// ran: if the latest due time lies after that run, it was missed and runs once now, as the catch-up. A tick for that
/// same due time arriving afterwards finds it already run. With no run recorded at all, nothing is owed.
/// </para>
/// <para>
/// An operator's run (<see cref="RunAskedForAsync{TReport}"/>) goes through the same grain, the one place in the
/// cluster that knows whether a run is going: asked for while one goes, it is refused; a tick arriving while an
/// asked-for run goes skips its due time, which that run covers.
/// </para>
/// </summary>
internal abstract partial class ScheduleGrain(
    string schedule,
    ScheduleOptions settings,
    IScheduledRun run,
    IReminderTable reminders,
    IOptions<SchedulesOptions> options,
    ScheduleRunner runner,
    TimeProvider time,
    ILogger logger)
    : Grain, IScheduleGrain, IRemindable
{
    private readonly ScheduleCadence _cadence = ScheduleCadence.Of(settings);
    private readonly CancellationTokenSource _deactivating = new();
    private Task _run = Task.CompletedTask;

    /// <summary>The due time the run going stands for, or when an asked-for run started.</summary>
    private DateTimeOffset _running;

    /// <summary>The due time the latest run stood for (this activation's, else from the records); null before any.</summary>
    private DateTimeOffset? _lastDueTime;
    private bool _lastDueTimeRead;

    public async Task StartScheduleAsync()
    {
        await EnsureReminderAsync();
        var now = time.GetUtcNow();
        var due = _cadence.Latest(now);
        if (await LastDueTimeAsync() is not { } last)
        {
            // A new state database (or one whose K2 never got to a due time): nothing to make up for.
            _lastDueTime = due;
            LogNothingOwed(logger, schedule, "no run is recorded yet", _cadence.Next(now));
        }
        else if (last >= due)
        {
            LogNothingOwed(logger, schedule, $"the latest due time {due:O} has run", _cadence.Next(now));
        }
        else
        {
            LogCatchingUp(logger, schedule, due, last);
            TryStart(due, catchUp: true);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var dueTime = _cadence.DueTimeOfTick(ReminderTime.ToUtc(status.CurrentTickTime));
        if (!options.Value.Enabled)
        {
            LogTickIgnored(logger, schedule, dueTime, SchedulesOptions.Section);
            return;
        }

        await LastDueTimeAsync();
        TryStart(dueTime, catchUp: false);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The work is safe to stop at any point; the runner reports it as cancelled and never throws.
        await _deactivating.CancelAsync();
        await _run.WaitAsync(cancellationToken);
        _deactivating.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="work"/> now for an operator and returns its report, or null when a run of this schedule
    /// (scheduled or asked for) is going, here or, holding the schedule's lease, anywhere in the cluster. Called from an
    /// interleaving grain method, so a second caller is answered while the first run goes; the check and the start
    /// happen in one turn, so two callers never both start one. The run, like a scheduled one, goes on outside the
    /// grain's turn and ends when the grain deactivates; its failure reaches the caller.
    /// </summary>
    protected async Task<TReport?> RunAskedForAsync<TReport>(Func<CancellationToken, Task<TReport>> work)
        where TReport : class
    {
        if (!_run.IsCompleted)
        {
            LogAskedForRefused(logger, schedule, _running);
            return null;
        }

        _running = time.GetUtcNow();
        var token = _deactivating.Token;
        var asked = Task.Run(() => runner.RunAskedForAsync(schedule, work, token), CancellationToken.None);
        _run = EndOf(asked);
        return await asked;
    }

    /// <summary>Completes when <paramref name="run"/> does, whether it failed or not: its caller has the failure.</summary>
    private static async Task EndOf(Task run) => await run.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);

    private void TryStart(DateTimeOffset dueTime, bool catchUp)
    {
        // A due time already run (or running) is covered; only a later one finding the run still going is an overlap.
        if (_lastDueTime >= dueTime)
        {
            LogAlreadyRun(logger, schedule, dueTime, _lastDueTime.Value);
            return;
        }

        if (!_run.IsCompleted)
        {
            LogStillRunning(logger, schedule, dueTime, _running);
            return;
        }

        _lastDueTime = dueTime;
        _running = dueTime;
        var firing = new ScheduleFiring(dueTime, time.GetUtcNow(), catchUp);
        var token = _deactivating.Token;
        _run = Task.Run(() => runner.RunAsync(schedule, run, firing, token), CancellationToken.None);
    }

    private async Task<DateTimeOffset?> LastDueTimeAsync()
    {
        if (!_lastDueTimeRead)
        {
            _lastDueTime = await run.LastRunAtAsync(_deactivating.Token) is { } at ? _cadence.Latest(at) : null;
            _lastDueTimeRead = true;
        }

        return _lastDueTime;
    }

    /// <summary>
    /// Registers the reminder unless the stored one has the configured period and starts on a due time. Registering
    /// re-anchors the reminder's start at now + due, so doing it at every start would move the schedule.
    /// </summary>
    private async Task EnsureReminderAsync()
    {
        var stored = await reminders.ReadRow(this.GetGrainId(), schedule);
        var now = time.GetUtcNow();
        var startAt = stored is null ? (DateTimeOffset?)null : ReminderTime.ToUtc(stored.StartAt);
        if (stored is not null && stored.Period == _cadence.Period && _cadence.IsDueTime(startAt!.Value))
        {
            LogKept(logger, schedule, stored.Period, startAt.Value, startAt.Value > now ? startAt.Value : _cadence.Next(now));
            return;
        }

        var first = _cadence.Next(now);
        await this.RegisterOrUpdateReminder(schedule, first - now, _cadence.Period);
        LogRegistered(logger, schedule, _cadence.Period, first, stored is null ? "none" : $"every {stored.Period} from {startAt:O}");
    }

    [LoggerMessage(EventId = ScheduleEventIds.ReminderKept, Level = LogLevel.Information,
        Message = "Reminder {Schedule} kept as stored: every {Period} from {StartAt:O}, next due {NextDue:O}")]
    private static partial void LogKept(ILogger logger, string schedule, TimeSpan period, DateTimeOffset startAt, DateTimeOffset nextDue);

    [LoggerMessage(EventId = ScheduleEventIds.ReminderRegistered, Level = LogLevel.Information,
        Message = "Reminder {Schedule} registered: every {Period} from {FirstDue:O} (stored before: {Stored})")]
    private static partial void LogRegistered(ILogger logger, string schedule, TimeSpan period, DateTimeOffset firstDue, string stored);

    [LoggerMessage(EventId = ScheduleEventIds.CatchingUp, Level = LogLevel.Information,
        Message = "Schedule {Schedule} missed {DueTime:O} while K2 was down (its latest recorded run was for {LastDueTime:O}): running it now")]
    private static partial void LogCatchingUp(ILogger logger, string schedule, DateTimeOffset dueTime, DateTimeOffset lastDueTime);

    [LoggerMessage(EventId = ScheduleEventIds.NothingOwed, Level = LogLevel.Information,
        Message = "Schedule {Schedule} owes no run at start: {Reason}; next due {NextDue:O}")]
    private static partial void LogNothingOwed(ILogger logger, string schedule, string reason, DateTimeOffset nextDue);

    [LoggerMessage(EventId = ScheduleEventIds.TickSkippedStillRunning, Level = LogLevel.Warning,
        Message = "Schedule {Schedule} skips {DueTime:O}: the run for {Running:O} is still going")]
    private static partial void LogStillRunning(ILogger logger, string schedule, DateTimeOffset dueTime, DateTimeOffset running);

    [LoggerMessage(EventId = ScheduleEventIds.AskedForRefused, Level = LogLevel.Information,
        Message = "Schedule {Schedule} refuses a run asked for: the run for {Running:O} is still going")]
    private static partial void LogAskedForRefused(ILogger logger, string schedule, DateTimeOffset running);

    [LoggerMessage(EventId = ScheduleEventIds.TickSkippedAlreadyRun, Level = LogLevel.Information,
        Message = "Schedule {Schedule} skips the tick for {DueTime:O}: the run for {LastDueTime:O} covers it")]
    private static partial void LogAlreadyRun(ILogger logger, string schedule, DateTimeOffset dueTime, DateTimeOffset lastDueTime);

    [LoggerMessage(EventId = ScheduleEventIds.TickIgnoredDisabled, Level = LogLevel.Information,
        Message = "Schedule {Schedule} ignores the tick for {DueTime:O}: {Section}:Enabled is false")]
    private static partial void LogTickIgnored(ILogger logger, string schedule, DateTimeOffset dueTime, string section);
}
