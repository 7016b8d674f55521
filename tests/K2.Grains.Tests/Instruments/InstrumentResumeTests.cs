using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Instruments;
using K2.Grains.Tests.Support;
using K2.Storage.Trades;
using K2.Storage.Writers;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Grains.Tests.Instruments;

/// <summary>The resume of an instrument's tracker from the real hot store, without a grain.</summary>
public sealed class InstrumentResumeTests(EmbeddedClickHouseFixture fixture) : IAsyncLifetime
{
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);

    private GrainTestHost? _host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GrainTestHost Host => _host!;

    public async ValueTask InitializeAsync()
    {
        var database = (await fixture.CreateDatabaseAsync(Ct)).Database;
        _host = await GrainTestHost.StartAsync(configureServices: services => services.AddTestHotStore(fixture, database), cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private UnixMicros Time(long id) => new(UnixMicros.Now(Host.Clock).Value - 1_000_000 + id);

    private InstrumentResume Resume(bool sequentialIds) => new(
        Host.Services.GetRequiredService<TradeQueries>(), sequentialIds, TimeSpan.FromHours(6), maxRestoredGaps: 10, Host.Clock, Host.Logs.CreateLogger("test"));

    private async Task StoreAsync(params long[] ids)
    {
        var writer = Host.Services.GetRequiredService<BatchedTableWriter<Trade>>();
        foreach (var id in ids)
        {
            await writer.WriteAsync(new Trade(Btc, TradeId.FromNumber(id), 87_000m + id, 0.5m, TradeSide.Buy, Time(id), Time(id)), Ct);
        }

        await writer.WhenWrittenAsync(Ct);
    }

    private async Task<ResumePoint> ResumeAsync(TradeSequenceTracker tracker, bool sequentialIds = true)
    {
        using var limit = new StoreWaitDeadline(TimeSpan.FromSeconds(20), Host.Clock, Ct);
        return await Resume(sequentialIds).ResumeAsync(Btc, tracker, limit);
    }

    [Fact]
    public async Task With_nothing_stored_it_starts_from_nothing()
    {
        var tracker = new TradeSequenceTracker();

        var point = await ResumeAsync(tracker);

        point.ShouldSatisfyAllConditions(p => p.StoredThrough.ShouldBeNull(), p => p.FromStore.ShouldBeTrue(), p => p.Holes.ShouldBeEmpty());
        tracker.HighestId.ShouldBeNull();
    }

    [Fact]
    public async Task It_goes_on_after_the_newest_stored_trade_with_the_holes_of_the_stored_ids_reopened()
    {
        await StoreAsync(1, 2, 3, 7, 9);
        var tracker = new TradeSequenceTracker();

        var point = await ResumeAsync(tracker);

        point.StoredThrough.ShouldBe(Time(9));
        point.FromStore.ShouldBeTrue();
        point.Holes.Select(h => (h.FromId, h.ToId, h.After, h.Before)).ShouldBe([(4L, 6L, (UnixMicros?)Time(3), (UnixMicros?)Time(7)), (8L, 8L, Time(7), Time(9))]);
        tracker.HighestId.ShouldBe(9);
        tracker.MissingCount.ShouldBe(4);
        Host.Logs.Entries.Where(e => e.EventId.Id == GrainsEventIds.InstrumentResumed).Select(e => e.Message)
            .ShouldBe([$"binance/BTC-USDT resumes after stored trade 9 at {Time(9)}, with 2 hole(s) to fetch"]);
    }

    [Fact]
    public async Task Ids_with_holes_by_design_reopen_nothing()
    {
        await StoreAsync(1, 5);
        var tracker = new TradeSequenceTracker(sequentialIds: false);

        var point = await ResumeAsync(tracker, sequentialIds: false);

        (point.StoredThrough, point.Holes.Count).ShouldBe((Time(5), 0));
        tracker.OpenGaps.ShouldBeEmpty();
        tracker.IsNew(TradeId.FromNumber(5)).ShouldBeFalse("the newest stored trade is a duplicate now");
    }
}
