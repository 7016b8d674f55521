using K2.Grains.Tests.Runtime.TestGrains;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Tests.Runtime;

public sealed class GrainFailureTests
{
    [Fact]
    public async Task A_throwing_call_fails_its_caller_is_counted_and_logged_and_the_activation_keeps_working()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");
        var other = host.GrainFactory.GetGrain<IProbeGrain>("b");
        await other.EchoAsync("before");

        var failure = await Should.ThrowAsync<InvalidOperationException>(() => grain.ThrowAsync("boom"));

        failure.Message.ShouldBe("boom");
        (await grain.EchoAsync("later")).ShouldBe("later");
        (await grain.GetActivationNumberAsync()).ShouldBe(2); // "b" is #1: still the same activation of "a"
        (await other.EchoAsync("unaffected")).ShouldBe("unaffected");
        var snapshot = host.Statistics.GetSnapshot();
        snapshot.TotalErrors.ShouldBe(1);
        snapshot.Activations.Single(activation => activation.Key == "a").Errors.ShouldBe(1);
        snapshot.Activations.Single(activation => activation.Key == "b").Errors.ShouldBe(0);
        host.Logs.Entries.ShouldContain(entry =>
            entry.EventId.Id == GrainsEventIds.GrainRequestFailed
            && entry.Level == LogLevel.Warning
            && entry.Exception == failure
            && entry.Message.Contains("IProbeGrain.ThrowAsync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_throwing_one_way_call_is_logged_and_counted_and_later_messages_are_processed()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var grain = host.GrainFactory.GetGrain<IProbeGrain>("a");

        await grain.ThrowOneWayAsync("one-way boom"); // completes once enqueued
        await grain.RecordAsync(1);
        (await grain.EchoAsync("later")).ShouldBe("later");

        probe.Recorded.Select(record => record.Value).ShouldBe([1]);
        host.Statistics.GetSnapshot().Activations.Single().Errors.ShouldBe(1);
        var logged = host.Logs.Entries.Single(entry => entry.EventId.Id == GrainsEventIds.GrainOneWayRequestFailed);
        logged.Level.ShouldBe(LogLevel.Error);
        logged.Exception.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("one-way boom");
    }
}
