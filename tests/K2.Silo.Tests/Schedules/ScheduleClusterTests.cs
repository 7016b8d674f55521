using System.Collections.Concurrent;
using K2.Testing;

namespace K2.Silo.Tests.Schedules;

/// <summary>Two silos on one PostgreSQL job store form a Quartz cluster: each fire time runs on exactly one of them.</summary>
public sealed class ScheduleClusterTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_fire_time_runs_on_exactly_one_silo_and_the_other_carries_on_when_one_stops()
    {
        var configuration = ScheduleTestHost.Postgres(await postgres.Server.CreateDatabaseAsync(Ct));
        var log = new ConcurrentQueue<RecordedRun>();
        using var a = ScheduleTestHost.Build(configuration, ScheduleTestHost.Offload(new RecordingRuns("a", log)));
        using var b = ScheduleTestHost.Build(configuration, ScheduleTestHost.Offload(new RecordingRuns("b", log)));

        await Task.WhenAll(a.StartAsync(Ct), b.StartAsync(Ct));
        await Eventually.TrueAsync(() => log.Count >= 5, TimeSpan.FromSeconds(20), "the cluster did not fire five times", Ct);
        await a.StopAsync(Ct);
        var beforeStop = log.Count;
        await Eventually.TrueAsync(() => log.Count >= beforeStop + 3, TimeSpan.FromSeconds(20), "b did not carry on after a stopped", Ct);
        await b.StopAsync(Ct);

        var runs = log.ToArray();
        var fireTimes = runs.Select(r => r.Firing.ScheduledAt).ToArray();
        fireTimes.ShouldBeUnique("a fire time ran on both silos");
        for (var i = 1; i < fireTimes.Length; i++)
        {
            (fireTimes[i] - fireTimes[i - 1]).ShouldBe(ScheduleTestHost.Interval, "a fire time was skipped or ran out of turn");
        }

        runs[beforeStop..].ShouldAllBe(r => r.Node == "b");
    }
}
