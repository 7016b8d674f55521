using K2.Grains.Tests.Runtime.TestGrains;

namespace K2.Grains.Tests.Runtime;

public sealed class GrainRuntimeShutdownTests
{
    [Fact]
    public async Task Stopping_drains_queued_messages_then_deactivates_with_ShuttingDown_and_refuses_new_calls()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        var blocked = grain.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);
        await grain.RecordAsync(1);
        await grain.RecordAsync(2);
        var queuedRequest = grain.EchoAsync("queued");

        var stopping = host.StopAsync(TestContext.Current.CancellationToken);

        var refused = await Should.ThrowAsync<InvalidOperationException>(() => grain.EchoAsync("late"));
        refused.Message.ShouldBe("The grain runtime is shutting down; probe/a takes no new messages.");
        await Should.ThrowAsync<InvalidOperationException>(() => host.GrainFactory.GetGrain<IProbeGrain>("new").TouchAsync().AsTask());
        stopping.IsCompleted.ShouldBeFalse();

        probe.BlockReleased.SetResult();
        await stopping;

        await blocked;
        (await queuedRequest).ShouldBe("queued");
        probe.Recorded.Select(record => record.Value).ShouldBe([1, 2]);
        probe.Events.ShouldBe(["activate #1", "echo queued on #1", "deactivated #1 ShuttingDown"]);
        host.Statistics.GetSnapshot().Activations.ShouldBeEmpty();
    }

    [Fact]
    public async Task Past_ShutdownTimeout_stopping_returns_and_messages_still_queued_fail()
    {
        var shutdownTimeout = TimeSpan.FromSeconds(30);
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe, options => options.ShutdownTimeout = shutdownTimeout);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        var blocked = grain.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);
        var queuedRequest = grain.EchoAsync("queued");
        await grain.RecordAsync(1);

        var stopping = host.StopAsync(TestContext.Current.CancellationToken);
        host.Clock.Advance(shutdownTimeout - TimeSpan.FromTicks(1));
        stopping.IsCompleted.ShouldBeFalse();
        host.Clock.Advance(TimeSpan.FromTicks(1));
        await stopping;

        (await Should.ThrowAsync<InvalidOperationException>(() => queuedRequest)).Message.ShouldContain("shutting down");
        host.Logs.Entries.Count(entry => entry.EventId.Id == GrainsEventIds.GrainMessageRejected).ShouldBe(2);
        host.Logs.Entries.ShouldContain(entry => entry.EventId.Id == GrainsEventIds.GrainRuntimeStopTimedOut);

        probe.BlockReleased.SetResult();
        await blocked;
        probe.Recorded.ShouldBeEmpty();
    }
}
