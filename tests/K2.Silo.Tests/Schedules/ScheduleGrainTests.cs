using K2.Grains.Schedules;
using K2.Silo.Schedules;
using K2.Storage.Iceberg.Catalog;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Schedules;

/// <summary>
/// The offload and maintenance grains on a silo whose reminders persist in SQLite and follow the manual clock: when
/// they run, what a restart keeps, the catch-up after downtime, one run at a time, and shutdown.
/// </summary>
public sealed class ScheduleGrainTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);

    private readonly TempDirectory _data = new("k2-schedules");
    private readonly RunLog _runs = new();
    private readonly ReminderTickProbe _probe = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SqlitePath => Path.Combine(_data.Path, "state", "k2.db");

    public void Dispose()
    {
        _probe.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    [Fact]
    public async Task The_offload_runs_every_quarter_hour_and_the_maintenance_at_two_each_run_logged_and_counted()
    {
        using var meters = new TestMeterFactory();
        await using var host = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(5), Ct, meters: meters);

        await _probe.TickAsync(host.Clock, TimeSpan.FromMinutes(10), Ct, ScheduleNames.Offload);
        for (var quarter = 2; quarter <= 8; quarter++)
        {
            await RunsEndedAsync(meters, quarter - 1);
            await _probe.TickAsync(host.Clock, Quarter, Ct, quarter < 8 ? [ScheduleNames.Offload] : [ScheduleNames.Offload, ScheduleNames.Maintenance]);
        }

        await _runs.WaitForRunsAsync(ScheduleNames.Offload, 8, Ct);
        await _runs.WaitForRunsAsync(ScheduleNames.Maintenance, 1, Ct);
        await host.StopAsync(Ct);

        var offloads = _runs.Of(ScheduleNames.Offload);
        offloads.Select(r => r.Firing).ShouldBe(Enumerable.Range(1, 8).Select(q => new ScheduleFiring(Day + q * Quarter, Day + q * Quarter, false)));
        _runs.Of(ScheduleNames.Maintenance).Select(r => r.Firing).ShouldBe([new ScheduleFiring(Day.AddHours(2), Day.AddHours(2), false)]);
        meters.Sum("k2.schedule.runs").ShouldBe(9);
        meters.Values("k2.schedule.run.duration").Count.ShouldBe(9);
        meters.Sum("k2.schedule.failures").ShouldBe(0);
        var logs = K2Logs(host);
        logs.Count(e => e.EventId.Id == ScheduleEventIds.RunStarted).ShouldBe(9);
        logs.Count(e => e.EventId.Id == ScheduleEventIds.RunSucceeded).ShouldBe(9);
        logs.Where(e => e.EventId.Id == ScheduleEventIds.ReminderRegistered).Select(e => e.Message).ShouldBe(
        [
            "Reminder offload registered: every 00:15:00 from 2026-11-22T00:15:00.0000000+00:00 (stored before: none)",
            "Reminder maintenance registered: every 1.00:00:00 from 2026-11-22T02:00:00.0000000+00:00 (stored before: none)",
        ]);
        logs.Count(e => e.EventId.Id == ScheduleEventIds.NothingOwed).ShouldBe(2);
        logs.ShouldNotContain(e => e.Level >= LogLevel.Warning, "a clean run logged a warning");
    }

    [Fact]
    public async Task A_restart_keeps_the_stored_reminders_as_they_are_and_a_changed_period_registers_anew()
    {
        await using (var first = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(5), Ct))
        {
            await first.StopAsync(Ct);
        }

        var stored = await RowsAsync();
        stored.Select(r => (r.ReminderName, r.StartAt, r.Period)).OrderBy(r => r.ReminderName).ShouldBe(
        [
            ("maintenance", Day.AddHours(2).UtcDateTime, TimeSpan.FromDays(1)),
            ("offload", Day.AddMinutes(15).UtcDateTime, Quarter),
        ]);

        await using (var second = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(40), Ct))
        {
            await second.StopAsync(Ct);
            var logs = K2Logs(second);
            logs.ShouldNotContain(e => e.EventId.Id == ScheduleEventIds.ReminderRegistered);
            logs.Where(e => e.EventId.Id == ScheduleEventIds.ReminderKept).Select(e => e.Message).ShouldBe(
            [
                "Reminder offload kept as stored: every 00:15:00 from 2026-11-22T00:15:00.0000000+00:00, next due 2026-11-22T00:45:00.0000000+00:00",
                "Reminder maintenance kept as stored: every 1.00:00:00 from 2026-11-22T02:00:00.0000000+00:00, next due 2026-11-22T02:00:00.0000000+00:00",
            ]);
        }

        (await RowsAsync()).Select(r => (r.ReminderName, r.StartAt, r.ETag)).OrderBy(r => r.ReminderName)
            .ShouldBe(stored.Select(r => (r.ReminderName, r.StartAt, r.ETag)).OrderBy(r => r.ReminderName), "the restart moved a stored reminder");

        await using (var third = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(40), Ct,
            configure: o => o.Offload.Period = TimeSpan.FromMinutes(30)))
        {
            await third.StopAsync(Ct);
            K2Logs(third).Where(e => e.EventId.Id == ScheduleEventIds.ReminderRegistered).Select(e => e.Message).ShouldBe(
            [
                "Reminder offload registered: every 00:30:00 from 2026-11-22T01:00:00.0000000+00:00 " +
                "(stored before: every 00:15:00 from 2026-11-22T00:15:00.0000000+00:00)",
            ]);
        }

        var offload = (await RowsAsync()).Single(r => r.ReminderName == ScheduleNames.Offload);
        (offload.StartAt, offload.Period).ShouldBe((Day.AddHours(1).UtcDateTime, TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public async Task A_due_time_missed_while_down_runs_once_at_start_and_its_own_tick_does_not_run_it_again()
    {
        // K2 ran until just after its 23:30 offload, and comes back exactly at midnight: 23:45 and 00:00 were missed.
        await using (var before = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(-40), Ct))
        {
            await _probe.TickAsync(before.Clock, TimeSpan.FromMinutes(10), Ct, ScheduleNames.Offload);
            await _runs.WaitForRunsAsync(ScheduleNames.Offload, 1, Ct);
            await before.StopAsync(Ct);
        }

        using var meters = new TestMeterFactory();
        await using var after = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day, Ct, meters: meters);
        await RunsEndedAsync(meters, 1);
        // Orleans also delivers the reminder's tick due at this very instant: the catch-up already ran it.
        await _probe.TickAsync(after.Clock, TimeSpan.FromMilliseconds(1), Ct, ScheduleNames.Offload);
        await _probe.TickAsync(after.Clock, Quarter - TimeSpan.FromMilliseconds(1), Ct, ScheduleNames.Offload);
        await _runs.WaitForRunsAsync(ScheduleNames.Offload, 3, Ct);
        await after.StopAsync(Ct);

        _runs.Of(ScheduleNames.Offload).Select(r => r.Firing).ShouldBe(
        [
            new ScheduleFiring(Day.AddMinutes(-30), Day.AddMinutes(-30), false),
            new ScheduleFiring(Day, Day, true),
            new ScheduleFiring(Day + Quarter, Day + Quarter, false),
        ]);
        var logs = K2Logs(after);
        logs.Single(e => e.EventId.Id == ScheduleEventIds.CatchingUp).Message.ShouldBe(
            "Schedule offload missed 2026-11-22T00:00:00.0000000+00:00 while K2 was down " +
            "(its latest recorded run was for 2026-11-21T23:30:00.0000000+00:00): running it now");
        logs.Single(e => e.EventId.Id == ScheduleEventIds.TickSkippedAlreadyRun).Message.ShouldBe(
            "Schedule offload skips the tick for 2026-11-22T00:00:00.0000000+00:00: the run for 2026-11-22T00:00:00.0000000+00:00 covers it");
        logs.Single(e => e.EventId.Id == ScheduleEventIds.NothingOwed).Message.ShouldStartWith("Schedule maintenance owes no run at start: no run is recorded yet");
    }

    [Fact]
    public async Task A_run_still_going_at_the_next_due_time_is_not_started_again()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _runs.Work = (run, _) => run.Firing.ScheduledAt == Day + Quarter ? release.Task : Task.CompletedTask;
        await using var host = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(5), Ct);

        await _probe.TickAsync(host.Clock, TimeSpan.FromMinutes(10), Ct, ScheduleNames.Offload);
        await _runs.WaitForRunsAsync(ScheduleNames.Offload, 1, Ct);
        await _probe.TickAsync(host.Clock, Quarter, Ct, ScheduleNames.Offload);
        release.SetResult();
        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == ScheduleEventIds.RunSucceeded), TimeSpan.FromSeconds(30),
            "the held run did not end", Ct);
        await _probe.TickAsync(host.Clock, Quarter, Ct, ScheduleNames.Offload);
        await _runs.WaitForRunsAsync(ScheduleNames.Offload, 2, Ct);
        await host.StopAsync(Ct);

        _runs.Of(ScheduleNames.Offload).Select(r => r.Firing.ScheduledAt).ShouldBe([Day + Quarter, Day + 3 * Quarter]);
        var skipped = K2Logs(host).Single(e => e.EventId.Id == ScheduleEventIds.TickSkippedStillRunning);
        skipped.Level.ShouldBe(LogLevel.Warning);
        skipped.Message.ShouldBe(
            "Schedule offload skips 2026-11-22T00:30:00.0000000+00:00: the run for 2026-11-22T00:15:00.0000000+00:00 is still going");
    }

    [Fact]
    public async Task A_run_asked_for_while_one_goes_is_refused_and_a_tick_meanwhile_is_skipped()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _runs.Work = (run, ct) => run.Asked && run.Schedule == ScheduleNames.Offload && _runs.Of(ScheduleNames.Offload).Count == 1
            ? release.Task.WaitAsync(ct)
            : Task.CompletedTask;
        await using var host = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(5), Ct);
        var offload = host.GrainFactory.GetGrain<IOffloadGrain>(0);
        var maintenance = host.GrainFactory.GetGrain<IMaintenanceGrain>(0);

        var first = offload.RunNowAsync();
        await _runs.WaitForRunsAsync(ScheduleNames.Offload, 1, Ct);
        (await offload.RunNowAsync()).ShouldBeNull("a second offload was started while one went");
        // The other schedule is not held up by it.
        (await maintenance.RunNowAsync()).ShouldNotBeNull().Tasks.Single().Table.ShouldBe(ScheduleNames.Maintenance);
        // The reminder's tick at 00:15 finds the asked-for offload going: the due time is skipped, that run covers it.
        await _probe.TickAsync(host.Clock, TimeSpan.FromMinutes(10), Ct, ScheduleNames.Offload);
        await Eventually.TrueAsync(() => K2Logs(host).Any(e => e.EventId.Id == ScheduleEventIds.TickSkippedStillRunning), TimeSpan.FromSeconds(30),
            "the tick was not skipped", Ct);
        release.SetResult();
        var report = (await first).ShouldNotBeNull();
        report.Tables.Single().Table.ShouldBe(ScheduleNames.Offload);
        (await offload.RunNowAsync()).ShouldNotBeNull("the run had ended, so the next one asked for starts");
        await host.StopAsync(Ct);

        _runs.Of(ScheduleNames.Offload).Select(r => (r.Firing.ScheduledAt, r.Asked)).ShouldBe([(Day.AddMinutes(5), true), (Day.AddMinutes(15), true)]);
        K2Logs(host).Single(e => e.EventId.Id == ScheduleEventIds.AskedForRefused).Message.ShouldBe(
            "Schedule offload refuses a run asked for: the run for 2026-11-22T00:05:00.0000000+00:00 is still going");
        K2Logs(host).Single(e => e.EventId.Id == ScheduleEventIds.TickSkippedStillRunning).Message.ShouldBe(
            "Schedule offload skips 2026-11-22T00:15:00.0000000+00:00: the run for 2026-11-22T00:05:00.0000000+00:00 is still going");
    }

    [Fact]
    public async Task A_run_finding_the_lease_held_by_another_run_is_skipped_and_counted_and_one_asked_for_is_refused()
    {
        using var meters = new TestMeterFactory();
        await using var host = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(5), Ct, meters: meters);
        // A run on another silo holds the offload's lease until 00:20.
        var leases = host.Services.GetRequiredService<ScheduleLeases>();
        (await leases.TryAcquireAsync(ScheduleNames.Offload, "silo-b:7/run-elsewhere", TimeSpan.FromMinutes(15), Ct)).ShouldBeTrue();

        await _probe.TickAsync(host.Clock, TimeSpan.FromMinutes(10), Ct, ScheduleNames.Offload);
        await RunsEndedAsync(meters, 1);
        (await host.GrainFactory.GetGrain<IOffloadGrain>(0).RunNowAsync()).ShouldBeNull("an offload was started while another run held the lease");
        (await host.GrainFactory.GetGrain<IMaintenanceGrain>(0).RunNowAsync()).ShouldNotBeNull("the maintenance's lease is its own");
        // Once that run is over (its lease ran out at 00:20), the next due time runs and gives the lease back.
        await _probe.TickAsync(host.Clock, Quarter, Ct, ScheduleNames.Offload);
        await RunsEndedAsync(meters, 2);
        await host.StopAsync(Ct);

        _runs.Of(ScheduleNames.Offload).Select(r => r.Firing.ScheduledAt).ShouldBe([Day + 2 * Quarter]);
        meters.Sum("k2.schedule.runs", ("outcome", "skipped")).ShouldBe(1);
        meters.Sum("k2.schedule.runs", ("outcome", "succeeded")).ShouldBe(1);
        meters.Sum("k2.schedule.failures").ShouldBe(0);
        var skips = K2Logs(host).Where(e => e.EventId.Id == ScheduleEventIds.RunSkippedLeaseHeld).ToList();
        skips.Select(e => (e.Level, e.Message)).ShouldBe(
        [
            (LogLevel.Warning, "Schedule offload skips a run: silo-b:7/run-elsewhere holds its lease until 2026-11-22T00:20:00.0000000+00:00"),
            (LogLevel.Warning, "Schedule offload skips a run: silo-b:7/run-elsewhere holds its lease until 2026-11-22T00:20:00.0000000+00:00"),
        ]);
        K2Logs(host).Count(e => e.EventId.Id == ScheduleEventIds.RunStarted).ShouldBe(1);
        (await leases.ReadAsync(ScheduleNames.Offload, Ct)).ShouldBeNull();
        (await leases.ReadAsync(ScheduleNames.Maintenance, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Shutdown_cancels_a_running_run_which_is_reported_cancelled()
    {
        _runs.Work = (_, ct) => Task.Delay(Timeout.InfiniteTimeSpan, ct);
        using var meters = new TestMeterFactory();
        await using var host = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(5), Ct, meters: meters);
        await _probe.TickAsync(host.Clock, TimeSpan.FromMinutes(10), Ct, ScheduleNames.Offload);
        await _runs.WaitForRunsAsync(ScheduleNames.Offload, 1, Ct);

        await host.StopAsync(Ct);

        _runs.Of(ScheduleNames.Offload).Single().Cancelled.ShouldBeTrue();
        var cancelled = K2Logs(host).Single(e => e.EventId.Id == ScheduleEventIds.RunCancelled);
        cancelled.Message.ShouldStartWith("Schedule offload for 2026-11-22T00:15:00.0000000+00:00 cancelled by shutdown");
        meters.Sum("k2.schedule.runs").ShouldBe(1);
        meters.Sum("k2.schedule.failures").ShouldBe(0);
    }

    [Fact]
    public async Task A_failing_run_is_logged_and_counted_and_the_next_due_time_still_runs()
    {
        _runs.Work = (run, _) => run.Firing.ScheduledAt == Day + Quarter
            ? Task.FromException(new InvalidOperationException("fails on purpose"))
            : Task.CompletedTask;
        using var meters = new TestMeterFactory();
        await using var host = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(5), Ct, meters: meters);

        await _probe.TickAsync(host.Clock, TimeSpan.FromMinutes(10), Ct, ScheduleNames.Offload);
        await _runs.WaitForRunsAsync(ScheduleNames.Offload, 1, Ct);
        // The run has started; it must also have ended before the next tick, or that tick is skipped as overlapping.
        await Eventually.TrueAsync(() => K2Logs(host).Any(e => e.EventId.Id == ScheduleEventIds.RunFailed), TimeSpan.FromSeconds(30), "the failing run did not end", Ct);
        await _probe.TickAsync(host.Clock, Quarter, Ct, ScheduleNames.Offload);
        await _runs.WaitForRunsAsync(ScheduleNames.Offload, 2, Ct);
        await host.StopAsync(Ct);

        _runs.Of(ScheduleNames.Offload).Select(r => r.Firing.ScheduledAt).ShouldBe([Day + Quarter, Day + 2 * Quarter]);
        var failure = K2Logs(host).Single(e => e.EventId.Id == ScheduleEventIds.RunFailed);
        failure.Level.ShouldBe(LogLevel.Error);
        failure.Message.ShouldStartWith("Schedule offload for 2026-11-22T00:15:00.0000000+00:00 failed");
        failure.Exception.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("fails on purpose");
        K2Logs(host).Count(e => e.EventId.Id == ScheduleEventIds.RunSucceeded).ShouldBe(1);
        meters.Sum("k2.schedule.failures").ShouldBe(1);
        meters.Sum("k2.schedule.runs").ShouldBe(2);
    }

    [Fact]
    public async Task Disabled_schedules_register_nothing_and_ignore_the_ticks_of_stored_reminders()
    {
        await using (var enabled = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(5), Ct))
        {
            await enabled.StopAsync(Ct);
        }

        await using var disabled = await ScheduleTestSilo.StartAsync(SqlitePath, _runs, _probe, Day.AddMinutes(5), Ct,
            configure: o => o.Enabled = false);
        await _probe.TickAsync(disabled.Clock, TimeSpan.FromMinutes(10), Ct, ScheduleNames.Offload);
        await disabled.StopAsync(Ct);

        _runs.Of(ScheduleNames.Offload).ShouldBeEmpty();
        var logs = K2Logs(disabled);
        logs.Single(e => e.EventId.Id == ScheduleEventIds.SchedulesDisabled).Message.ShouldBe("Schedules are off on this silo: K2:Schedules:Enabled is false");
        logs.ShouldNotContain(e => e.EventId.Id == ScheduleEventIds.ReminderRegistered || e.EventId.Id == ScheduleEventIds.ReminderKept);
        logs.Single(e => e.EventId.Id == ScheduleEventIds.TickIgnoredDisabled).Message.ShouldBe(
            "Schedule offload ignores the tick for 2026-11-22T00:15:00.0000000+00:00: K2:Schedules:Enabled is false");
    }

    /// <summary>
    /// Waits until <paramref name="runs"/> runs have ended: a tick arriving while one still goes is skipped as
    /// overlapping. The duration is the last thing a run records.
    /// </summary>
    private static Task RunsEndedAsync(TestMeterFactory meters, int runs) =>
        Eventually.TrueAsync(() => meters.Values("k2.schedule.run.duration").Count == runs, TimeSpan.FromSeconds(30), $"{runs} runs did not end", Ct);

    private static IReadOnlyList<CapturedLogEntry> K2Logs(GrainTestHost host) =>
        [.. host.Logs.Entries.Where(e => e.Category.StartsWith("K2.", StringComparison.Ordinal))];

    private async Task<IList<ReminderEntry>> RowsAsync()
    {
        using var table = new SqliteReminderTable(
            Options.Create(new StateDatabaseOptions { SqlitePath = SqlitePath }), Microsoft.Extensions.Logging.Abstractions.NullLogger<SqliteReminderTable>.Instance);
        return (await ((IReminderTable)table).ReadRows(0, 0, Ct)).Reminders;
    }
}
