using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using K2.Silo.Schedules;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace K2.Silo.Tests.Schedules;

/// <summary>The schedules fire on time from a real SQLite job store, and a failing run never stops them.</summary>
public sealed class ScheduleFiringTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_offload_fires_once_on_each_cron_time_and_is_logged_and_counted()
    {
        using var data = new TempDirectory();
        var sqlitePath = Path.Combine(data.Path, "state", "k2.db");
        var log = new ConcurrentQueue<RecordedRun>();
        var logs = new CapturingLoggerProvider();
        using var meters = new TestMeterFactory();
        using var lastSuccess = new LastSuccessListener();
        using var host = ScheduleTestHost.Build(ScheduleTestHost.Sqlite(sqlitePath), ScheduleTestHost.Offload(new RecordingRuns("a", log)), logs, meters);

        await host.StartAsync(Ct);
        await Eventually.TrueAsync(() => log.Count >= 3, TimeSpan.FromSeconds(15), "the offload did not fire three times", Ct);
        await host.StopAsync(Ct);

        var runs = log.ToArray();
        runs.ShouldAllBe(r => r.Schedule == ScheduleNames.Offload && !r.Firing.Recovering);
        runs.ShouldAllBe(r => r.Firing.ScheduledAt.Millisecond == 0 && r.Firing.ScheduledAt.Second % 2 == 0, "a run off the cron times");
        runs.ShouldAllBe(r => r.Firing.FiredAt - r.Firing.ScheduledAt < TimeSpan.FromSeconds(1), "a run fired late");
        for (var i = 1; i < runs.Length; i++)
        {
            (runs[i].Firing.ScheduledAt - runs[i - 1].Firing.ScheduledAt).ShouldBe(ScheduleTestHost.Interval);
        }

        meters.Sum("k2.schedule.runs").ShouldBe(runs.Length);
        meters.Values("k2.schedule.run.duration").Count.ShouldBe(runs.Length);
        meters.Sum("k2.schedule.failures").ShouldBe(0);
        lastSuccess.Read(ScheduleNames.Offload).ShouldBeGreaterThanOrEqualTo(runs[^1].Firing.FiredAt.ToUnixTimeMilliseconds() / 1000.0);
        logs.Entries.Count(e => e.EventId.Id == ScheduleEventIds.RunStarted).ShouldBe(runs.Length);
        logs.Entries.Count(e => e.EventId.Id == ScheduleEventIds.RunSucceeded).ShouldBe(runs.Length);
        logs.Entries.Count(e => e.EventId.Id == ScheduleEventIds.ScheduleStored && e.Message.Contains("offload")).ShouldBe(1);
        logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Warning, "a clean run logged a warning");
    }

    [Fact]
    public async Task A_failing_run_is_logged_and_counted_and_the_next_fire_time_still_runs()
    {
        using var data = new TempDirectory();
        var log = new ConcurrentQueue<RecordedRun>();
        var logs = new CapturingLoggerProvider();
        using var meters = new TestMeterFactory();
        using var host = ScheduleTestHost.Build(
            ScheduleTestHost.Sqlite(Path.Combine(data.Path, "k2.db")), ScheduleTestHost.Offload(new RecordingRuns("a", log, failingCalls: 1)), logs, meters);

        await host.StartAsync(Ct);
        await Eventually.TrueAsync(() => log.Count >= 2, TimeSpan.FromSeconds(15), "the offload did not fire again after failing", Ct);
        await host.StopAsync(Ct);

        var runs = log.ToArray();
        (runs[1].Firing.ScheduledAt - runs[0].Firing.ScheduledAt).ShouldBe(ScheduleTestHost.Interval, "the fire time after the failure was skipped");
        var failure = logs.Entries.Single(e => e.EventId.Id == ScheduleEventIds.RunFailed);
        failure.Level.ShouldBe(LogLevel.Error);
        failure.Message.ShouldContain("offload");
        failure.Exception.ShouldBeOfType<InvalidOperationException>().Message.ShouldContain("fails on purpose");
        logs.Entries.Count(e => e.EventId.Id == ScheduleEventIds.RunSucceeded).ShouldBe(runs.Length - 1);
        meters.Sum("k2.schedule.failures").ShouldBe(1);
        meters.Sum("k2.schedule.runs").ShouldBe(runs.Length);
    }

    [Fact]
    public async Task Quartz_keeps_its_tables_prefixed_in_the_state_database()
    {
        using var data = new TempDirectory();
        var sqlitePath = Path.Combine(data.Path, "state", "k2.db");
        using (var host = ScheduleTestHost.Build(ScheduleTestHost.Sqlite(sqlitePath), ScheduleTestHost.Offload(new RecordingRuns("a", new()))))
        {
            await host.StartAsync(Ct);
            await host.StopAsync(Ct);
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%'";
        var names = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                names.Add(reader.GetString(0));
            }
        }

        names.ShouldContain(n => n.Equals("qrtz_TRIGGERS", StringComparison.OrdinalIgnoreCase));
        names.ShouldAllBe(n => n.StartsWith("qrtz_", StringComparison.OrdinalIgnoreCase) || n.StartsWith("IDX_qrtz_", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Without_a_registered_run_the_scheduler_never_starts_nor_touches_the_store()
    {
        using var data = new TempDirectory();
        var sqlitePath = Path.Combine(data.Path, "state", "k2.db");
        var logs = new CapturingLoggerProvider();
        using var host = ScheduleTestHost.Build(ScheduleTestHost.Sqlite(sqlitePath), _ => { }, logs);

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);

        File.Exists(sqlitePath).ShouldBeFalse();
        logs.Entries.Count(e => e.EventId.Id == ScheduleEventIds.SchedulesDisabled && e.Message.Contains("IOffloadRun")).ShouldBe(1);
    }

    [Fact]
    public async Task Disabled_schedules_never_start_even_with_a_run_registered_and_no_store_configured()
    {
        var logs = new CapturingLoggerProvider();
        var log = new ConcurrentQueue<RecordedRun>();
        using var host = ScheduleTestHost.Build(new() { ["K2:Schedules:Enabled"] = "false" }, ScheduleTestHost.Offload(new RecordingRuns("a", log)), logs);

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);

        log.ShouldBeEmpty();
        logs.Entries.Count(e => e.EventId.Id == ScheduleEventIds.SchedulesDisabled && e.Message.Contains("Enabled is false")).ShouldBe(1);
    }

    /// <summary>Reads the observable <c>k2.schedule.last_success</c> gauge, which is only measured when asked.</summary>
    private sealed class LastSuccessListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, double> _values = new();

        public LastSuccessListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ScheduleMetrics.MeterName && instrument.Name == "k2.schedule.last_success")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "schedule")
                    {
                        _values[(string)tag.Value!] = value;
                    }
                }
            });
            _listener.Start();
        }

        public double Read(string schedule)
        {
            _listener.RecordObservableInstruments();
            return _values.TryGetValue(schedule, out var value) ? value : double.NaN;
        }

        public void Dispose() => _listener.Dispose();
    }
}
