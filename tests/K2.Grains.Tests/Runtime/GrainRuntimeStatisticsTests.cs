using System.Diagnostics.Metrics;
using K2.Grains.Tests.Runtime.TestGrains;

namespace K2.Grains.Tests.Runtime;

public sealed class GrainRuntimeStatisticsTests
{
    [Fact]
    public async Task The_snapshot_shows_each_activation_and_the_totals()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var a = host.GrainFactory.GetGrain<IProbeGrain>("a");
        var b = host.GrainFactory.GetGrain<IProbeGrain>("b");
        await b.TouchAsync();
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        await Should.ThrowAsync<InvalidOperationException>(() => a.ThrowAsync("boom"));
        var blocked = a.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);
        await a.RecordAsync(1);
        await a.RecordAsync(2);
        host.Clock.Advance(TimeSpan.FromSeconds(5));

        var snapshot = host.Statistics.GetSnapshot();

        var start = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero); // ManualTimeProvider's default start
        snapshot.TakenAt.ShouldBe(start.AddSeconds(10));
        snapshot.Activations.ShouldBe([
            new("probe", "a", MailboxDepth: 2, MessagesProcessed: 1, Errors: 1, LastActive: start.AddSeconds(5)),
            new("probe", "b", MailboxDepth: 0, MessagesProcessed: 1, Errors: 0, LastActive: start),
        ]);
        snapshot.TotalActivations.ShouldBe(2);
        snapshot.TotalMessages.ShouldBe(2);
        snapshot.TotalErrors.ShouldBe(1);

        probe.BlockReleased.SetResult();
        await blocked;
    }

    [Fact]
    public async Task Metrics_report_activations_mailbox_depth_messages_and_errors_per_grain_type()
    {
        var probe = new GrainProbe();
        await using var host = await ProbeHost.StartAsync(probe);
        var measurements = new List<(string Instrument, string GrainType, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Name == "K2.Grains" && instrument.Meter.Scope == host.MeterFactory)
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();

        var a = host.GrainFactory.GetGrain<IProbeGrain>("a");
        await host.GrainFactory.GetGrain<IProbeGrain>("b").TouchAsync();
        await Should.ThrowAsync<InvalidOperationException>(() => a.ThrowAsync("boom"));
        var blocked = a.BlockAsync();
        await probe.BlockEntered.Task.WaitAsync(TestContext.Current.CancellationToken);
        await a.RecordAsync(1);
        await a.RecordAsync(2);
        await a.RecordAsync(3);
        listener.RecordObservableInstruments();

        (string, long)[] Measured(string instrument)
        {
            lock (measurements)
            {
                return [.. measurements.Where(m => m.Instrument == instrument).Select(m => (m.GrainType, m.Value))];
            }
        }

        Measured("k2.grains.activations").ShouldBe([("probe", 2), ("keepalive", 0)], ignoreOrder: true);
        Measured("k2.grains.mailbox.depth").ShouldBe([("probe", 3), ("keepalive", 0)], ignoreOrder: true);
        Measured("k2.grains.messages").ShouldBe([("probe", 1), ("probe", 1)]);
        Measured("k2.grains.errors").ShouldBe([("probe", 1)]);

        probe.BlockReleased.SetResult();
        await blocked;

        void Add(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var grainType = "";
            foreach (var tag in tags)
            {
                if (tag.Key == "grain_type")
                {
                    grainType = (string)tag.Value!;
                }
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, grainType, value));
            }
        }
    }
}
