using K2.Core;
using K2.Core.Candles;
using K2.Core.Trades;
using K2.Storage.Candles;
using K2.Storage.History;
using K2.Storage.ObjectStores;
using K2.Storage.Tests.History;
using K2.Storage.Tests.Support;
using K2.Storage.Writers;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Candles;

/// <summary>
/// A bucket whose older trades and candle live in cold only (offloaded, their hot copies gone) gets trades backfilled
/// into the hot tier: the recompute reads both tiers and writes one candle of all of them, above the stored version.
/// </summary>
public sealed class TieredCandleRecomputeTests(EmbeddedClickHouseFixture fixture) : IDisposable
{
    private const long Units = 100_000_000;

    private static readonly UnixMicros Minute = new(TradeRows.Day.Value + (10 * 60_000_000L));

    private readonly TempDirectory _root = TempDirectory.BelowWorkingDirectory("k2-recompute");
    private readonly TestMeterFactory _meters = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _meters.Dispose();
        _root.Dispose();
    }

    private static Trade At(long id, int second, decimal price, decimal quantity, TradeSide side) =>
        TradeRows.Make(TradeRows.KrakenBtc, id, price, quantity, side, exchangeOffsetMicros: Minute.Value - TradeRows.Day.Value + (second * 1_000_000L));

    [Fact]
    public async Task A_bucket_with_trades_in_cold_and_backfilled_trades_in_hot_gets_one_candle_of_all_of_them_above_the_stored_version()
    {
        using var store = await TieredStore.CreateAsync(
            fixture, new LocalDirectoryObjectStore(Path.Combine(_root.Path, "warehouse")), null, Path.Combine(_root.Path, "state.db"),
            new ManualTimeProvider(new UnixMicros(Minute.Value + 3_600_000_000L).ToDateTimeOffset()), Ct);
        await using var writer = new BatchedTableWriter<Candle>(
            fixture.ClickHouse, new OhlcvTable(), store.Hot, new BatchedWriterOptions(), store.Clock, new StorageMetrics(_meters),
            NullLogger<BatchedTableWriter<Candle>>.Instance);
        await writer.StartAsync(Ct);
        var recompute = new TieredCandleRecompute(store.Trades, store.Candles, writer, store.Clock, NullLogger<TieredCandleRecompute>.Instance);
        var minute = new CandleBucket(Timeframe.OneMinute, Minute);
        var fiveMinutes = CandleBucket.Of(Timeframe.FiveMinutes, Minute);

        // Stored long ago: three trades and their candle, written by a silo whose clock ran 1,000 s ahead.
        Trade[] old = [At(1, 10, 100m, 1m, TradeSide.Buy), At(2, 20, 300m, 2m, TradeSide.Sell), At(3, 30, 200m, 1m, TradeSide.Buy)];
        var oldAggregate = new CandleAggregate();
        foreach (var trade in old)
        {
            oldAggregate.Add(trade);
        }

        var now = UnixMicros.Now(store.Clock);
        var storedVersion = now.Value + 1_000_000_000L;
        await store.WriteTradesAsync(now, old, Ct);
        await store.WriteCandlesAsync(now, [Candle.Of(TradeRows.KrakenBtc, Timeframe.OneMinute, Minute, oldAggregate, storedVersion)], Ct);
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.OffloadAsync(Ct);
        (await store.RemoveOffloadedAsync(Ct)).ShouldBe((0L, 0L));

        // The backfill: a trade before them (the new open) and one after (the new close), in the hot tier only.
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.WriteTradesAsync(UnixMicros.Now(store.Clock), [At(4, 5, 50m, 1m, TradeSide.Sell), At(5, 50, 400m, 3m, TradeSide.Buy)], Ct);
        var written = await recompute.RecomputeAsync(TradeRows.KrakenBtc, [minute, fiveMinutes], Ct);

        var expected = new StoredCandle(
            Exchange.Kraken, TradeRows.KrakenBtc.Symbol, Timeframe.OneMinute, Minute,
            Open: 50 * Units, High: 400 * Units, Low: 50 * Units, Close: 400 * Units,
            Volume: 8 * Units, QuoteVolume: (Int128)2_150 * Units * Units, BuyVolume: 5 * Units, SellVolume: 3 * Units,
            TradeCount: 5, Vwap: (Int128)26_875 * Units * 1_000_000, Version: storedVersion + 1);
        written.Select(c => (c.Timeframe, c.BucketStart, c.TradeCount, c.Version)).ShouldBe(
        [
            (Timeframe.OneMinute, Minute, 5L, storedVersion + 1),
            (Timeframe.FiveMinutes, fiveMinutes.Start, 5L, UnixMicros.Now(store.Clock).Value), // none stored: the clock
        ]);
        (await OneMinuteCandlesAsync(store)).ShouldBe([expected]);

        // Nothing changed since: nothing is written again.
        (await recompute.RecomputeAsync(TradeRows.KrakenBtc, [minute, fiveMinutes], Ct)).ShouldBeEmpty();

        // Offloaded and gone from hot, cold serves the new candle in place of the old.
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.OffloadAsync(Ct);
        (await store.RemoveOffloadedAsync(Ct)).ShouldBe((0L, 0L));
        (await OneMinuteCandlesAsync(store)).ShouldBe([expected]);
    }

    private static Task<IReadOnlyList<StoredCandle>> OneMinuteCandlesAsync(TieredStore store) => store.Candles.ReadAsync(
        new CandleHistoryQuery(Exchange.Kraken, TradeRows.KrakenBtc.Symbol, Timeframe.OneMinute, null, null, ReadDirection.OldestFirst, null, 100), Ct);
}
