using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Storage.Candles;
using K2.Storage.History;
using K2.Storage.ObjectStores;
using K2.Storage.Tests.Support;
using K2.Storage.Writers;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.History;

/// <summary>Hot candle pages kept until a candle lands in their range: alone, then behind the real candle writer and engine.</summary>
public sealed class HotCandlePagesTests(EmbeddedClickHouseFixture fixture) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Instrument Btc = TradeRows.KrakenBtc;

    private readonly TempDirectory _root = TempDirectory.BelowWorkingDirectory("k2-hot-pages");
    private readonly TestMeterFactory _meters = new();

    public void Dispose()
    {
        _meters.Dispose();
        _root.Dispose();
    }

    private static UnixMicros Minute(int minute) => new(TradeRows.Day.Value + (minute * 60_000_000L));

    private static CandleHistoryQuery Range(int fromMinute, int toMinute, Timeframe timeframe = Timeframe.OneMinute) =>
        new(Btc.Exchange, Btc.Symbol, timeframe, Minute(fromMinute), Minute(toMinute), ReadDirection.OldestFirst, null, 100);

    private static Candle Candle(Instrument instrument, Timeframe timeframe, int minute, long version) =>
        new(instrument, timeframe, Minute(minute), 100, 100, 100, 100, 1, 100, 1, 0, 1, 100, version);

    private static StoredCandle Stored(int minute, long version) =>
        new(Btc.Exchange, Btc.Symbol, Timeframe.OneMinute, Minute(minute), 100, 100, 100, 100, 1, 100, 1, 0, 1, 100, version);

    /// <summary>Reads through <paramref name="pages"/>, counting the reads that reached the store.</summary>
    private sealed class CountingReads(HotCandlePages pages)
    {
        public int Count { get; private set; }

        public Task<IReadOnlyList<StoredCandle>> ReadAsync(CandleHistoryQuery query, params StoredCandle[] answer) =>
            pages.GetOrReadAsync(query, () =>
            {
                Count++;
                return Task.FromResult<IReadOnlyList<StoredCandle>>(answer);
            });
    }

    [Fact]
    public async Task A_kept_page_answers_until_a_candle_of_its_instrument_and_timeframe_lands_inside_its_range()
    {
        var pages = new HotCandlePages();
        var reads = new CountingReads(pages);

        (await reads.ReadAsync(Range(0, 10), Stored(3, 1))).ShouldBe([Stored(3, 1)]);
        (await reads.ReadAsync(Range(0, 10), Stored(3, 99))).ShouldBe([Stored(3, 1)], "the kept page answered");
        reads.Count.ShouldBe(1);

        pages.Landed([
            Candle(Btc, Timeframe.OneMinute, 10, 2), // the range's end is exclusive
            Candle(Btc, Timeframe.OneMinute, -1, 2),
            Candle(Btc, Timeframe.FiveMinutes, 5, 2),
            Candle(TradeRows.CoinbaseBtc, Timeframe.OneMinute, 5, 2),
            Candle(Btc with { Symbol = "ETH-USD" }, Timeframe.OneMinute, 5, 2),
        ], Minute(20));
        (await reads.ReadAsync(Range(0, 10), Stored(3, 99))).ShouldBe([Stored(3, 1)], "no landing was inside the range");
        reads.Count.ShouldBe(1);

        pages.Landed([Candle(Btc, Timeframe.OneMinute, 0, 2)], null);
        (await reads.ReadAsync(Range(0, 10), Stored(0, 2), Stored(3, 1))).ShouldBe([Stored(0, 2), Stored(3, 1)]);
        reads.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_page_read_while_a_batch_landed_is_not_kept_since_it_may_or_may_not_hold_that_batch()
    {
        var pages = new HotCandlePages();
        var reads = 0;

        await pages.GetOrReadAsync(Range(0, 10), () =>
        {
            reads++;
            pages.Landed([Candle(Btc, Timeframe.OneMinute, 500, 1)], Minute(600)); // far outside the range, during the read
            return Task.FromResult<IReadOnlyList<StoredCandle>>([Stored(3, 1)]);
        });
        await pages.GetOrReadAsync(Range(0, 10), () =>
        {
            reads++;
            return Task.FromResult<IReadOnlyList<StoredCandle>>([Stored(3, 1)]);
        });
        await pages.GetOrReadAsync(Range(0, 10), () => throw new InvalidOperationException("the second read's page was kept"));

        reads.ShouldBe(2);
    }

    [Fact]
    public async Task Only_oldest_first_pages_of_a_closed_range_are_kept()
    {
        var pages = new HotCandlePages();
        var reads = new CountingReads(pages);
        CandleHistoryQuery[] unkept =
        [
            Range(0, 10) with { Direction = ReadDirection.NewestFirst },
            Range(0, 10) with { To = null },
            Range(0, 10) with { From = null },
        ];

        foreach (var query in unkept)
        {
            await reads.ReadAsync(query);
            await reads.ReadAsync(query);
        }

        reads.Count.ShouldBe(6);
        await reads.ReadAsync(Range(0, 10) with { After = Minute(2) });
        await reads.ReadAsync(Range(0, 10) with { After = Minute(2) });
        await reads.ReadAsync(Range(0, 10) with { After = Minute(3) });
        reads.Count.ShouldBe(8, "a cursor page is a page of its own");
    }

    [Fact]
    public async Task Pages_beyond_the_row_bound_start_the_kept_set_over()
    {
        var pages = new HotCandlePages();
        var reads = new CountingReads(pages);
        var half = Enumerable.Range(0, HotCandlePages.MaxRows / 2).Select(m => Stored(m, 1)).ToArray();

        await reads.ReadAsync(Range(0, 10), half);
        await reads.ReadAsync(Range(0, 20), half);
        await reads.ReadAsync(Range(0, 30), Stored(1, 1)); // over the bound: the two kept pages go
        await reads.ReadAsync(Range(0, 30));
        await reads.ReadAsync(Range(0, 10));

        reads.Count.ShouldBe(4);
    }

    [Fact]
    public async Task Behind_the_real_candle_writer_a_range_is_read_once_and_read_again_after_a_new_version_lands_in_it()
    {
        var pages = new HotCandlePages();
        using var store = await TieredStore.CreateAsync(
            fixture, new LocalDirectoryObjectStore(Path.Combine(_root.Path, "warehouse")), null, Path.Combine(_root.Path, "state.db"),
            new ManualTimeProvider(Minute(60).ToDateTimeOffset()), Ct, pages);
        await using var writer = new BatchedTableWriter<Candle>(
            store.ClickHouse, new OhlcvTable(), store.Hot, new BatchedWriterOptions(), TimeProvider.System, new StorageMetrics(_meters),
            NullLogger<BatchedTableWriter<Candle>>.Instance, pages);
        await writer.StartAsync(Ct);
        var day = Range(0, 10);

        await writer.WriteAsync(Candle(Btc, Timeframe.OneMinute, 3, 1), Ct);
        await writer.WhenWrittenAsync(Ct);
        (await store.Candles.ReadAsync(day, Ct)).Select(c => c.Version).ShouldBe([1L]);
        var statements = store.Reads.Statements.Count;
        (await store.Candles.ReadAsync(day, Ct)).Select(c => c.Version).ShouldBe([1L]);
        store.Reads.Statements.Count.ShouldBe(statements, "the kept page answered");

        await writer.WriteAsync(Candle(Btc, Timeframe.OneMinute, 3, 2), Ct);
        await writer.WriteAsync(Candle(Btc, Timeframe.OneMinute, 4, 1), Ct);
        await writer.WhenWrittenAsync(Ct);

        (await store.Candles.ReadAsync(day, Ct)).Select(c => (c.BucketStart, c.Version)).ShouldBe([(Minute(3), 2L), (Minute(4), 1L)]);
        store.Reads.Statements.Count.ShouldBe(statements + 1);
    }
}
