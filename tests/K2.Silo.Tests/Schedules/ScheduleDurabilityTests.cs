using System.Collections.Concurrent;
using K2.Silo.Schedules;
using K2.Testing;
using K2.Testing.Grains;
using Quartz;

namespace K2.Silo.Tests.Schedules;

/// <summary>
/// Fire times missed while K2 was down run once, as soon as it is back, and the schedule then keeps its cadence: on
/// the embedded store (SQLite) and on the cluster's (PostgreSQL, clustered).
/// </summary>
public sealed class ScheduleDurabilityTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ScheduleStore.Sqlite)]
    [InlineData(ScheduleStore.Postgres)]
    public async Task Fire_times_missed_while_down_run_once_on_restart_then_the_cadence_resumes(ScheduleStore store)
    {
        using var data = new TempDirectory();
        var configuration = store == ScheduleStore.Sqlite
            ? ScheduleTestHost.Sqlite(Path.Combine(data.Path, "state", "k2.db"))
            : ScheduleTestHost.Postgres(await postgres.Server.CreateDatabaseAsync(Ct));
        var log = new ConcurrentQueue<RecordedRun>();

        using (var before = ScheduleTestHost.Build(configuration, ScheduleTestHost.Offload(new RecordingRuns("before", log))))
        {
            await before.StartAsync(Ct);
            await Eventually.TrueAsync(() => !log.IsEmpty, TimeSpan.FromSeconds(15), "the offload never fired before the restart", Ct);
            await before.StopAsync(Ct);
        }

        var stoppedAt = DateTimeOffset.UtcNow;
        var missed = FireTimesAfter(stoppedAt).Take(2).ToArray();
        // K2 stays down until two fire times are late by more than the misfire threshold (1 s): both are missed.
        await Task.Delay(missed[^1] + TimeSpan.FromSeconds(1.5) - DateTimeOffset.UtcNow, Ct);

        var logs = new CapturingLoggerProvider();
        var restartedAt = DateTimeOffset.UtcNow;
        using (var after = ScheduleTestHost.Build(configuration, ScheduleTestHost.Offload(new RecordingRuns("after", log)), logs))
        {
            await after.StartAsync(Ct);
            await Eventually.TrueAsync(() => log.Count(r => r.Node == "after") >= 4, TimeSpan.FromSeconds(20),
                "the offload did not fire four times after the restart", Ct);
            await after.StopAsync(Ct);
        }

        var runs = log.Where(r => r.Node == "after").Select(r => r.Firing).ToArray();
        var catchUp = runs[0];
        catchUp.ScheduledAt.ShouldBe(missed[0], "the catch-up run stands for the first missed fire time");
        catchUp.FiredAt.ShouldBeLessThan(restartedAt + TimeSpan.FromSeconds(1.5), "the catch-up run waited for the next fire time");
        runs[1..].ShouldNotContain(r => missed.Contains(r.ScheduledAt), "a missed fire time ran a second time");
        var cadence = runs[1..].Select(r => r.ScheduledAt).ToArray();
        cadence.ShouldAllBe(t => t > catchUp.FiredAt && OnGrid(t));
        for (var i = 1; i < cadence.Length; i++)
        {
            (cadence[i] - cadence[i - 1]).ShouldBe(ScheduleTestHost.Interval, "after the catch-up, each fire time runs once, in turn");
        }

        logs.Entries.Count(e => e.EventId.Id == ScheduleEventIds.ScheduleKept).ShouldBe(1, "the restart kept the one stored schedule");
    }

    private static bool OnGrid(DateTimeOffset time) => time.Millisecond == 0 && time.Second % 2 == 0;

    private static IEnumerable<DateTimeOffset> FireTimesAfter(DateTimeOffset time)
    {
        var cron = CronExpression.Parse(ScheduleTestHost.EveryTwoSeconds).WithTimeZone(TimeZoneInfo.Utc);
        for (var next = cron.GetNextValidTimeAfter(time); next is not null; next = cron.GetNextValidTimeAfter(next.Value))
        {
            yield return next.Value;
        }
    }
}
