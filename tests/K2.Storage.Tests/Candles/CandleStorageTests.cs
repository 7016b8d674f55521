using K2.Core;
using K2.Core.Candles;
using K2.Core.Trades;
using K2.Storage.Candles;
using K2.Storage.Tests.Support;
using K2.Storage.Writers;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Candles;

/// <summary>Candles through the writer into <c>ohlcv</c>, and buckets recomputed from stored trades, on the real engine.</summary>
public sealed class CandleStorageTests(EmbeddedClickHouseFixture fixture) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TestMeterFactory _meters = new();

    public void Dispose() => _meters.Dispose();

    private static readonly UnixMicros Hour = new(TradeRows.Day.Value + 3_600_000_000L * 5);

    private static Trade At(long id, long secondsAfterHour, decimal price, decimal quantity, TradeSide side) =>
        TradeRows.Make(TradeRows.BinanceBtc, id, price, quantity, side, exchangeOffsetMicros: (Hour.Value - TradeRows.Day.Value) + (secondsAfterHour * 1_000_000));

    private BatchedTableWriter<Candle> Writer(HotStoreOptions store) => new(
        fixture.ClickHouse, new OhlcvTable(), store, new BatchedWriterOptions(), TimeProvider.System, new StorageMetrics(_meters),
        NullLogger<BatchedTableWriter<Candle>>.Instance);

    [Fact]
    public async Task A_recomputed_bucket_holds_each_stored_trade_once_with_exact_sums_and_the_stored_version()
    {
        var store = await fixture.CreateDatabaseAsync(Ct);
        Trade[] trades =
        [
            At(100, 10, 9_999_999_999.99999999m, 9_999_999_999.99999999m, TradeSide.Buy),
            At(101, 10, 0.00000001m, 0.5m, TradeSide.Sell),
            At(99, 20, 50m, 2m, TradeSide.Sell),
            At(102, 3_599, 70m, 1m, TradeSide.Buy),
            At(103, 3_600, 1m, 1m, TradeSide.Buy), // the next hour
        ];
        await TradeRows.InsertAsync(fixture.ClickHouse, store.Database, trades, Hour, Ct);
        await TradeRows.InsertAsync(fixture.ClickHouse, store.Database, trades[..2], Hour, Ct); // stored twice: counted once
        var expected = new CandleAggregate();
        foreach (var trade in trades[..4])
        {
            expected.Add(trade);
        }

        var bucket = new CandleBucket(Timeframe.OneHour, Hour);
        var queries = new CandleQueries(fixture.ClickHouse, store);
        var fresh = await queries.RecomputeAsync(TradeRows.BinanceBtc, bucket, Ct);

        fresh.StoredVersion.ShouldBe(0);
        var stored = fresh.Aggregate;
        (stored.Open, stored.High, stored.Low, stored.Close, stored.First, stored.Last).ShouldBe(
            (expected.Open, expected.High, expected.Low, expected.Close, expected.First, expected.Last));
        (stored.Volume, stored.QuoteVolume, stored.BuyVolume, stored.SellVolume, stored.TradeCount).ShouldBe(
            (expected.Volume, expected.QuoteVolume, expected.BuyVolume, expected.SellVolume, 4L));

        await using var writer = Writer(store);
        await writer.StartAsync(Ct);
        await writer.WriteAsync(Candle.Of(TradeRows.BinanceBtc, Timeframe.OneHour, Hour, expected, version: 42), Ct);
        await writer.WhenWrittenAsync(Ct);
        (await queries.RecomputeAsync(TradeRows.BinanceBtc, bucket, Ct)).StoredVersion.ShouldBe(42);
        (await queries.RecomputeAsync(TradeRows.BinanceBtc, new CandleBucket(Timeframe.OneHour, new UnixMicros(Hour.Value - 3_600_000_000L)), Ct))
            .Aggregate.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public async Task The_highest_version_of_a_candle_wins_and_values_round_trip_exactly()
    {
        var store = await fixture.CreateDatabaseAsync(Ct);
        var first = new CandleAggregate();
        first.Add(At(1, 1, 87_000.12345678m, 0.00000001m, TradeSide.Buy));
        var corrected = new CandleAggregate();
        corrected.Add(At(1, 1, 87_000.12345678m, 0.00000001m, TradeSide.Buy));
        corrected.Add(At(2, 2, 9_999_999_999.99999999m, 9_999_999_999.99999999m, TradeSide.Sell));
        await using var writer = Writer(store);
        await writer.StartAsync(Ct);

        await writer.WriteAsync(Candle.Of(TradeRows.BinanceBtc, Timeframe.OneMinute, Hour, corrected, version: 2), Ct);
        await writer.WriteAsync(Candle.Of(TradeRows.BinanceBtc, Timeframe.OneMinute, Hour, first, version: 1), Ct); // late, older version
        await writer.WhenWrittenAsync(Ct);

        var candles = await new CandleQueries(fixture.ClickHouse, store).GetAsync(
            Exchange.Binance, TradeRows.BinanceBtc.Symbol, Timeframe.OneMinute, Hour, new UnixMicros(Hour.Value + 60_000_000), 10, Ct);
        var candle = candles.ShouldHaveSingleItem();
        candle.ShouldBe(new StoredCandle(
            Exchange.Binance, TradeRows.BinanceBtc.Symbol, Timeframe.OneMinute, Hour,
            corrected.Open, corrected.High, corrected.Low, corrected.Close,
            corrected.Volume, corrected.QuoteVolume, corrected.BuyVolume, corrected.SellVolume, 2, corrected.Vwap, 2));
        CandleAmounts.ToDecimal(candle.Volume, CandleAmounts.AmountScale).ShouldBe(9_999_999_999.99999999m + 0.00000001m);
    }

    [Fact]
    public async Task Waiting_for_written_rows_returns_only_after_the_insert_that_holds_them()
    {
        var store = await fixture.CreateDatabaseAsync(Ct);
        var gated = new GatedClickHouseClient();
        await using var writer = new BatchedTableWriter<Candle>(
            gated, new OhlcvTable(), store, new BatchedWriterOptions(), TimeProvider.System, new StorageMetrics(_meters),
            NullLogger<BatchedTableWriter<Candle>>.Instance);
        await writer.StartAsync(Ct);
        var aggregate = new CandleAggregate();
        aggregate.Add(At(1, 1, 1m, 1m, TradeSide.Buy));

        await writer.WriteAsync(Candle.Of(TradeRows.BinanceBtc, Timeframe.OneMinute, Hour, aggregate, 1), Ct);
        var written = writer.WhenWrittenAsync(Ct);
        // Run at the moment the wait completes: how many inserts had returned then (no sleep to see it stay pending).
        var insertsReturnedWhenWritten = written.ContinueWith(
            _ => gated.Completed, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await gated.EnteredAsync(Ct);
        written.IsCompleted.ShouldBeFalse("the insert holding the row has not returned");

        gated.Release(1);
        await written.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        (await insertsReturnedWhenWritten).ShouldBe(1, "the wait completed before the insert holding the row returned");
        gated.Completed.ShouldBe(1);
        writer.RowsWritten.ShouldBe(1);
    }

    [Fact]
    public async Task Waiting_on_a_stopped_writer_fails_instead_of_hanging()
    {
        var store = await fixture.CreateDatabaseAsync(Ct);
        var writer = Writer(store);
        await writer.StartAsync(Ct);
        await writer.StopAsync(Ct);

        await Should.ThrowAsync<InvalidOperationException>(() => writer.WhenWrittenAsync(Ct));
        await writer.DisposeAsync();
    }
}
