using K2.Grains.Runtime;
using K2.Grains.Tests.Runtime.TestGrains;

namespace K2.Grains.Tests.Runtime;

public sealed class GrainActivationTests
{
    [Fact]
    public async Task A_reference_activates_nothing_until_its_first_call_which_runs_OnActivateAsync_first()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);

        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        host.GrainFactory.GetGrain<IProbeGrain>("a").ShouldBeSameAs(grain);
        host.Statistics.GetSnapshot().Activations.ShouldBeEmpty();
        probe.Events.ShouldBeEmpty();

        (await grain.EchoAsync("hello")).ShouldBe("hello");

        probe.Events.ShouldBe(["activate #1", "echo hello on #1"]);
        var grainId = await grain.GetGrainIdAsync();
        grainId.ShouldBe(new GrainId("probe", "a"));
        grainId.ToString().ShouldBe("probe/a");
        grain.ToString().ShouldBe("probe/a");
        host.Statistics.GetSnapshot().TotalActivations.ShouldBe(1);
    }

    [Fact]
    public async Task Each_key_gets_its_own_activation()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);

        var a = await host.GrainFactory.GetGrain<IProbeGrain>("a").GetActivationNumberAsync();
        var b = await host.GrainFactory.GetGrain<IProbeGrain>("b").GetActivationNumberAsync();

        new[] { a, b }.ShouldBe([1, 2], ignoreOrder: true);
        (await host.GrainFactory.GetGrain<IProbeGrain>("a").GetActivationNumberAsync()).ShouldBe(a);
        host.Statistics.GetSnapshot().Activations.Select(activation => activation.Key).ShouldBe(["a", "b"]);
    }

    [Fact]
    public async Task Task_and_ValueTask_methods_return_their_results()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");

        (await grain.DoubleAsync(21)).ShouldBe(42);
        await grain.TouchAsync();
        (await grain.EchoThroughAsync("b", "via b")).ShouldBe("via b");
        probe.Events.ShouldContain("echo via b on #2");
    }

    [Fact]
    public async Task A_failing_OnActivateAsync_fails_the_triggering_call_and_the_next_call_activates_afresh()
    {
        var probe = new GrainProbe
        {
            OnActivate = (_, number) => number == 1 ? throw new InvalidOperationException("activation 1 fails") : Task.CompletedTask,
        };
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");

        var failure = await Should.ThrowAsync<InvalidOperationException>(() => grain.EchoAsync("first"));

        failure.Message.ShouldBe("activation 1 fails");
        (await grain.EchoAsync("second")).ShouldBe("second");
        probe.Events.ShouldBe(["activate #1", "activate #2", "echo second on #2"]); // no OnDeactivateAsync for #1
        var snapshot = host.Statistics.GetSnapshot();
        snapshot.TotalErrors.ShouldBe(1);
        snapshot.TotalActivations.ShouldBe(1);
        host.Logs.Entries.ShouldContain(entry => entry.EventId.Id == GrainsEventIds.GrainActivationFailed && entry.Exception == failure);
    }

    [Fact]
    public async Task Messages_queued_behind_a_failing_activation_go_to_a_fresh_activation_in_order()
    {
        var activationStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failActivation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new GrainProbe
        {
            OnActivate = async (_, number) =>
            {
                if (number == 1)
                {
                    activationStarted.SetResult();
                    await failActivation.Task;
                    throw new InvalidOperationException("activation 1 fails");
                }
            },
        };
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");

        var first = grain.EchoAsync("first");
        await activationStarted.Task.WaitAsync(TestContext.Current.CancellationToken);
        var second = grain.EchoAsync("second");
        var third = grain.EchoAsync("third");
        failActivation.SetResult();

        await Should.ThrowAsync<InvalidOperationException>(() => first);
        (await second).ShouldBe("second");
        (await third).ShouldBe("third");
        probe.Events.ShouldBe(["activate #1", "activate #2", "echo second on #2", "echo third on #2"]);
    }
}
