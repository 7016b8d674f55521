using K2.Grains.Runtime;
using K2.Grains.Tests.Runtime.TestGrains;

namespace K2.Grains.Tests.Runtime;

public sealed class GrainCollectionTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);

    // Collections run at IdleTimeout, 2 × IdleTimeout, … after start.
    private static void Configure(GrainRuntimeOptions options)
    {
        options.IdleTimeout = IdleTimeout;
        options.CollectionInterval = IdleTimeout;
    }

    [Fact]
    public async Task An_activation_is_kept_while_idle_for_less_than_IdleTimeout_and_collected_once_idle_for_IdleTimeout()
    {
        var deactivated = new TaskCompletionSource<DeactivationReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new GrainProbe { OnDeactivate = (_, reason) => { deactivated.TrySetResult(reason); return Task.CompletedTask; } };
        await using var host = await ProbeHost.StartAsync(probe, Configure);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");

        host.Clock.Advance(OneTick);
        await grain.TouchAsync();
        host.Clock.Advance(IdleTimeout - OneTick); // collection at IdleTimeout: idle for IdleTimeout - 1 tick

        (await grain.GetActivationNumberAsync()).ShouldBe(1); // last active now: IdleTimeout
        deactivated.Task.IsCompleted.ShouldBeFalse();

        host.Clock.Advance(IdleTimeout); // collection at 2 × IdleTimeout: idle for exactly IdleTimeout

        (await deactivated.Task.WaitAsync(TestContext.Current.CancellationToken)).Code.ShouldBe(DeactivationReasonCode.IdleTimeout);
        (await grain.GetActivationNumberAsync()).ShouldBe(2);
        probe.Events.ShouldBe(["activate #1", "deactivated #1 IdleTimeout", "activate #2"]);
    }

    [Fact]
    public async Task KeepAlive_activations_are_never_collected()
    {
        var probe = new GrainProbe();
        var deactivated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        probe.OnDeactivate = (_, _) => { deactivated.TrySetResult(); return Task.CompletedTask; };
        await using var host = await ProbeHost.StartAsync(probe, Configure);
        var kept = host.GrainFactory.GetGrain<IKeepAliveGrain>("kept");
        var keptNumber = await kept.GetActivationNumberAsync();
        await host.GrainFactory.GetGrain<IProbeGrain>("collected").TouchAsync();

        host.Clock.Advance(IdleTimeout * 10);

        await deactivated.Task.WaitAsync(TestContext.Current.CancellationToken); // the ordinary grain went
        (await kept.GetActivationNumberAsync()).ShouldBe(keptNumber);
        probe.Events.ShouldNotContain(description => description.StartsWith("keepalive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_busy_activation_is_not_collected()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe, Configure);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        var blocked = grain.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);

        host.Clock.Advance(IdleTimeout * 3);
        probe.BlockReleased.SetResult();
        await blocked;

        (await grain.GetActivationNumberAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task A_message_arriving_during_deactivation_goes_to_a_new_activation_created_after_the_old_one_finished()
    {
        var deactivating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finishDeactivating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new GrainProbe
        {
            OnDeactivate = async (_, _) =>
            {
                deactivating.TrySetResult();
                await finishDeactivating.Task;
            },
        };
        await using var host = await ProbeHost.StartAsync(probe, Configure);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        await grain.TouchAsync();
        host.Clock.Advance(IdleTimeout);
        await deactivating.Task.WaitAsync(TestContext.Current.CancellationToken);

        var duringDeactivation = grain.EchoAsync("during");
        duringDeactivation.IsCompleted.ShouldBeFalse();
        finishDeactivating.SetResult();

        (await duringDeactivation).ShouldBe("during");
        probe.Events.ShouldBe(["activate #1", "deactivated #1 IdleTimeout", "activate #2", "echo during on #2"]);
    }

    [Fact]
    public async Task DeactivateOnIdle_ends_the_activation_after_the_current_turn_and_queued_messages_follow_in_order()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        var blocked = grain.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);
        var deactivate = grain.DeactivateAsync();
        var first = grain.EchoAsync("first");
        var second = grain.EchoAsync("second");

        probe.BlockReleased.SetResult();

        await Task.WhenAll(blocked, deactivate, first, second);
        probe.Events.ShouldBe([
            "activate #1", "deactivated #1 ApplicationRequested", "activate #2", "echo first on #2", "echo second on #2",
        ]);
    }
}
