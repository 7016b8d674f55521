using K2.Storage.Hosting;
using K2.Testing;

namespace K2.Storage.Tests.Hosting;

public sealed class StartupRetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_service_that_comes_up_after_three_refusals_is_waited_for_one_two_and_four_seconds()
    {
        var time = new ManualTimeProvider();
        var started = time.GetUtcNow();
        var attempts = 0;
        var retries = new List<(int Attempt, TimeSpan Wait, string Reason)>();

        var run = StartupRetry.RunAsync(
            _ => ++attempts <= 3 ? throw new TimeoutException($"refused {attempts}") : Task.CompletedTask,
            e => e is TimeoutException,
            (attempt, wait, e) => retries.Add((attempt, wait, e.Message)),
            time,
            Ct);
        await AdvanceThroughWaitsAsync(time, run);

        await run;
        attempts.ShouldBe(4);
        retries.ShouldBe([(1, TimeSpan.FromSeconds(1), "refused 1"), (2, TimeSpan.FromSeconds(2), "refused 2"), (3, TimeSpan.FromSeconds(4), "refused 3")]);
        (time.GetUtcNow() - started).ShouldBe(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task A_service_that_never_comes_up_fails_with_its_last_error_after_about_half_a_minute()
    {
        var time = new ManualTimeProvider();
        var started = time.GetUtcNow();
        var attempts = 0;

        var run = StartupRetry.RunAsync(
            _ => throw new TimeoutException($"refused {++attempts}"), e => e is TimeoutException, (_, _, _) => { }, time, Ct);
        await AdvanceThroughWaitsAsync(time, run);

        (await Should.ThrowAsync<TimeoutException>(run)).Message.ShouldBe("refused 7");
        attempts.ShouldBe(StartupRetry.Delays.Count + 1);
        (time.GetUtcNow() - started).ShouldBe(TimeSpan.FromSeconds(31));
    }

    [Fact]
    public async Task A_failure_that_is_not_unavailability_is_not_retried()
    {
        var time = new ManualTimeProvider();
        var attempts = 0;

        var run = StartupRetry.RunAsync(
            _ => { attempts++; throw new InvalidOperationException("wrong password"); }, e => e is TimeoutException, (_, _, _) => { }, time, Ct);

        (await Should.ThrowAsync<InvalidOperationException>(run)).Message.ShouldBe("wrong password");
        attempts.ShouldBe(1);
        time.ArmedTimers.ShouldBe(0);
    }

    /// <summary>Lets each wait of <paramref name="run"/> begin, then moves time through it by the next of <see cref="StartupRetry.Delays"/>, until the run ends.</summary>
    private static async Task AdvanceThroughWaitsAsync(ManualTimeProvider time, Task run)
    {
        foreach (var delay in StartupRetry.Delays)
        {
            await Eventually.TrueAsync(() => run.IsCompleted || time.ArmedTimers == 1, TimeSpan.FromSeconds(10), "the retry neither waited nor ended", Ct);
            if (run.IsCompleted)
            {
                return;
            }

            time.Advance(delay);
        }
    }
}
