using K2.Grains.Exchanges.Rest;

namespace K2.Grains.Tests.Exchanges.Rest;

/// <summary>The request-weight gate on a manual clock: what fits goes at once, the rest waits exactly as long as needed.</summary>
public sealed class RestRequestGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ObservedTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RestRequestGate Gate(int budget = 100) => new(budget, Window, _time);

    [Fact]
    public async Task Requests_within_the_budget_go_at_once()
    {
        var gate = Gate();

        for (var i = 0; i < 4; i++)
        {
            var wait = gate.WaitAsync(25, Ct);
            wait.IsCompletedSuccessfully.ShouldBeTrue($"request {i + 1} fits the budget");
            await wait;
        }

        _time.Timers.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_request_over_the_budget_waits_until_the_oldest_weight_leaves_the_window()
    {
        var gate = Gate();
        for (var i = 0; i < 4; i++)
        {
            await gate.WaitAsync(25, Ct);
        }

        _time.Advance(TimeSpan.FromSeconds(20));
        var fifth = gate.WaitAsync(25, Ct);
        await _time.WaitForTimersAsync(1, Ct);
        _time.Timers.ShouldBe([TimeSpan.FromSeconds(40)]);

        _time.Advance(TimeSpan.FromSeconds(40) - TimeSpan.FromTicks(1));
        fifth.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromTicks(1));
        await fifth.WaitAsync(Patience, Ct);
    }

    [Fact]
    public async Task The_window_rolls_each_spend_frees_its_weight_one_window_after_it_was_made()
    {
        var gate = Gate();
        var start = _time.GetUtcNow();
        await gate.WaitAsync(60, Ct);
        _time.Advance(TimeSpan.FromSeconds(30));
        await gate.WaitAsync(40, Ct);
        _time.Advance(TimeSpan.FromSeconds(10));

        // 100 spent: 50 more fit once the 60 spent at 0 s leave (60 s), not before.
        var third = gate.WaitAsync(50, Ct);
        await _time.WaitForTimersAsync(1, Ct);
        _time.Advance(TimeSpan.FromSeconds(20));
        await third.WaitAsync(Patience, Ct);
        (_time.GetUtcNow() - start).ShouldBe(TimeSpan.FromSeconds(60));

        // 40 (from 30 s) + 50 (from 60 s) spent: 20 more waits for the 40 to leave at 90 s.
        var fourth = gate.WaitAsync(20, Ct);
        await _time.WaitForTimersAsync(2, Ct);
        _time.Timers[^1].ShouldBe(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        fourth.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromTicks(1));
        await fourth.WaitAsync(Patience, Ct);
    }

    [Fact]
    public async Task Many_waiters_never_spend_more_than_the_budget_in_any_window()
    {
        var gate = Gate();
        var done = 0;
        var waiters = Enumerable.Range(0, 10)
            .Select(async _ =>
            {
                await gate.WaitAsync(25, Ct);
                Interlocked.Increment(ref done);
            })
            .ToArray();

        // Four fit; the six others each wait for the window to roll.
        await _time.WaitForTimersAsync(6, Ct);
        Volatile.Read(ref done).ShouldBe(4);

        _time.Advance(Window);
        await _time.WaitForTimersAsync(6 + 2, Ct); // four more go, two wait again
        await Eventually(() => Volatile.Read(ref done) == 8);
        Volatile.Read(ref done).ShouldBe(8);

        _time.Advance(Window);
        await Task.WhenAll(waiters).WaitAsync(Patience, Ct);
    }

    [Fact]
    public void A_request_heavier_than_the_whole_budget_is_refused()
    {
        var gate = Gate();

        Should.Throw<ArgumentOutOfRangeException>(() => gate.WaitAsync(101, Ct));
    }

    [Fact]
    public async Task A_pause_holds_back_requests_the_budget_would_allow()
    {
        var gate = Gate();
        gate.PauseUntil(_time.GetUtcNow().AddSeconds(10));

        var held = gate.WaitAsync(1, Ct);
        await _time.WaitForTimersAsync(1, Ct);
        _time.Timers.ShouldBe([TimeSpan.FromSeconds(10)]);
        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        held.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromTicks(1));

        await held.WaitAsync(Patience, Ct);
    }

    [Fact]
    public async Task A_later_pause_extends_and_an_earlier_one_does_not_shorten()
    {
        var gate = Gate();
        var start = _time.GetUtcNow();
        gate.PauseUntil(start.AddSeconds(10));
        gate.PauseUntil(start.AddSeconds(20));
        gate.PauseUntil(start.AddSeconds(5));

        var held = gate.WaitAsync(1, Ct);
        await _time.WaitForTimersAsync(1, Ct);

        _time.Timers.ShouldBe([TimeSpan.FromSeconds(20)]);
        _time.Advance(TimeSpan.FromSeconds(20));
        await held.WaitAsync(Patience, Ct);
    }

    [Fact]
    public async Task A_pause_set_while_a_request_waits_for_budget_holds_it_too()
    {
        var gate = Gate();
        var start = _time.GetUtcNow();
        await gate.WaitAsync(100, Ct);
        var waiting = gate.WaitAsync(10, Ct); // until 60 s, for budget
        await _time.WaitForTimersAsync(1, Ct);

        gate.PauseUntil(start.AddSeconds(90));
        _time.Advance(TimeSpan.FromSeconds(60));
        await _time.WaitForTimersAsync(2, Ct);
        waiting.IsCompleted.ShouldBeFalse("the budget is free again but the pause is in force");
        _time.Timers[^1].ShouldBe(TimeSpan.FromSeconds(30));

        _time.Advance(TimeSpan.FromSeconds(30));
        await waiting.WaitAsync(Patience, Ct);
    }

    [Fact]
    public async Task Cancelling_ends_a_wait_without_spending()
    {
        var gate = Gate();
        await gate.WaitAsync(100, Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = gate.WaitAsync(50, cancel.Token);
        await _time.WaitForTimersAsync(1, Ct);

        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience, Ct));
        _time.Advance(Window);
        var next = gate.WaitAsync(100, Ct);
        next.IsCompletedSuccessfully.ShouldBeTrue("the cancelled request spent nothing");
    }

    private static Task Eventually(Func<bool> condition) =>
        K2.Testing.Eventually.TrueAsync(condition, Patience, "the waiters did not settle", Ct);
}
