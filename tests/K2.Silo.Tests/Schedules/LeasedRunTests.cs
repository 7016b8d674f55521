using K2.Core;
using K2.Silo.Schedules;
using K2.Storage.Iceberg.Catalog;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Schedules;

/// <summary>A run under its schedule's lease, on a SQLite state database and a manual clock: renewal, loss and release.</summary>
public sealed class LeasedRunTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 15, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new("k2-leased-run");
    private readonly SqliteDatabaseFile _database;
    private readonly ManualTimeProvider _clock = new(Start);
    private readonly ScheduleLeases _leases;
    private readonly LeasedRun _run;

    public LeasedRunTests()
    {
        _database = new SqliteDatabaseFile(Path.Combine(_directory.Path, "k2.db"));
        _leases = new ScheduleLeases(_database.DataSource, _clock);
        _run = new LeasedRun(_leases, Options.Create(new SchedulesOptions { LeaseTtl = TimeSpan.FromSeconds(3) }), _clock, NullLogger<LeasedRun>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _database.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_run_renews_its_lease_every_third_of_its_time_to_live_and_releases_it_at_the_end()
    {
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _run.RunAsync("offload", _ => release.Task, Ct);
        await Eventually.TrueAsync(() => _clock.ArmedTimers == 1, TimeSpan.FromSeconds(30), "the renewal did not wait", Ct);
        var held = (await _leases.ReadAsync("offload", Ct)).ShouldNotBeNull();
        held.ExpiresAt.ShouldBe(UnixMicros.FromDateTimeOffset(Start.AddSeconds(3)));

        _clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(async ct => (await _leases.ReadAsync("offload", ct))!.ExpiresAt == UnixMicros.FromDateTimeOffset(Start.AddSeconds(4)),
            TimeSpan.FromSeconds(30), "the lease was not renewed", Ct);
        (await _leases.TryAcquireAsync("offload", "another-run", TimeSpan.FromSeconds(3), Ct)).ShouldBeFalse();
        release.SetResult(42);

        (await running).ShouldBe((true, 42));
        (await _leases.ReadAsync("offload", Ct)).ShouldBeNull();
        held.Holder.ShouldStartWith($"{Environment.MachineName}:{Environment.ProcessId}/");
    }

    [Fact]
    public async Task A_run_whose_lease_another_run_took_is_cancelled_and_throws_and_leaves_that_lease_alone()
    {
        var cancelled = false;
        var running = _run.RunAsync<int>("offload", async token =>
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                return 1;
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                throw;
            }
        }, Ct);
        await Eventually.TrueAsync(() => _clock.ArmedTimers == 1, TimeSpan.FromSeconds(30), "the renewal did not wait", Ct);
        // A silo whose clock says the lease ran out takes it.
        var elsewhere = new ScheduleLeases(_database.DataSource, new ManualTimeProvider(Start.AddSeconds(3)));
        (await elsewhere.TryAcquireAsync("offload", "silo-b:7/run-2", TimeSpan.FromSeconds(3), Ct)).ShouldBeTrue();

        _clock.Advance(TimeSpan.FromSeconds(1));

        (await Should.ThrowAsync<ScheduleLeaseLostException>(() => running)).Message.ShouldBe(
            "Schedule offload lost its run's lease (another run holds it now); the work was stopped.");
        cancelled.ShouldBeTrue();
        (await _leases.ReadAsync("offload", Ct)).ShouldBe(new ScheduleLease("offload", "silo-b:7/run-2", UnixMicros.FromDateTimeOffset(Start.AddSeconds(6))));
    }

    [Fact]
    public async Task A_run_finding_the_lease_held_does_not_work_and_a_failing_run_releases_it()
    {
        (await _leases.TryAcquireAsync("maintenance", "silo-b:7/run-2", TimeSpan.FromSeconds(3), Ct)).ShouldBeTrue();
        var worked = false;
        (await _run.RunAsync("maintenance", _ => Task.FromResult(worked = true), Ct)).ShouldBe((false, false));
        worked.ShouldBeFalse();
        await _leases.ReleaseAsync("maintenance", "silo-b:7/run-2", Ct);

        (await Should.ThrowAsync<InvalidOperationException>(() => _run.RunAsync<int>(
            "maintenance", _ => throw new InvalidOperationException("fails on purpose"), Ct))).Message.ShouldBe("fails on purpose");

        (await _leases.ReadAsync("maintenance", Ct)).ShouldBeNull();
    }
}
