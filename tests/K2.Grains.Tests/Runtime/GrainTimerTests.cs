using K2.Grains.Tests.Runtime.TestGrains;

namespace K2.Grains.Tests.Runtime;

public sealed class GrainTimerTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_tick_is_a_mailbox_turn_and_waits_for_the_turn_before_it()
    {
        var ticked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new GrainProbe { OnTick = _ => ticked.TrySetResult() };
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        await grain.StartTimerAsync(Period, Period);
        var blocked = grain.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);

        host.Clock.Advance(Period);

        probe.Ticks.ShouldBe(0);
        host.Statistics.GetSnapshot().Activations.Single().MailboxDepth.ShouldBe(1);
        probe.BlockReleased.SetResult();
        await blocked;
        await ticked.Task.WaitAsync(TestContext.Current.CancellationToken);
        probe.Ticks.ShouldBe(1);
        probe.MaxTurnsRunning.ShouldBe(1);
    }

    [Fact]
    public async Task Ticks_repeat_every_period_and_do_not_pile_up_behind_a_busy_turn()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        await grain.StartTimerAsync(Period, Period);
        var blocked = grain.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);

        host.Clock.Advance(Period * 5);

        host.Statistics.GetSnapshot().Activations.Single().MailboxDepth.ShouldBe(1);
        probe.BlockReleased.SetResult();
        await blocked;
        await grain.TouchAsync(); // behind the one queued tick
        probe.Ticks.ShouldBe(1);

        host.Clock.Advance(Period);
        await grain.TouchAsync(); // enqueued after the tick that Advance enqueued
        probe.Ticks.ShouldBe(2);
    }

    [Fact]
    public async Task Timers_stop_when_the_activation_deactivates()
    {
        var deactivated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new GrainProbe { OnDeactivate = (_, _) => { deactivated.TrySetResult(); return Task.CompletedTask; } };
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        await grain.StartTimerAsync(Period, Period);
        host.Clock.Advance(Period);
        await grain.TouchAsync();
        probe.Ticks.ShouldBe(1);

        await grain.DeactivateAsync();
        await deactivated.Task.WaitAsync(TestContext.Current.CancellationToken);
        host.Clock.Advance(Period * 5);

        probe.Ticks.ShouldBe(1);
    }

    [Fact]
    public async Task Disposing_the_timer_handle_stops_it()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        await grain.StartTimerAsync(Period, Period);
        host.Clock.Advance(Period);
        await grain.TouchAsync();

        await grain.StopTimerAsync();
        host.Clock.Advance(Period * 5);
        await grain.TouchAsync();

        probe.Ticks.ShouldBe(1);
    }
}
