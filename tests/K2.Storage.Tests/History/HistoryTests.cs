using System.Globalization;
using System.Text;
using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Storage.Candles;
using K2.Storage.History;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;
using K2.Storage.Tests.Support;
using K2.Storage.Trades;
using K2.Testing;

namespace K2.Storage.Tests.History;

/// <summary>
/// Trades and candles read over both tiers after the real offload cycle: the same scenario is written and offloaded
/// twice, then read with the hot copies of offloaded rows in place and removed (as the hot TTL eventually removes
/// them). One suite on each warehouse kind.
/// </summary>
/// <remarks>
/// The scenario, in exchange time around midnight (minutes from <see cref="TradeRows.Day"/>), for kraken BTC-USD:
/// landed at +60 and offloaded at +61: trades 1..60 at minute id-31, trade 7 twice; candles 1m of minutes -4..55 v1.
/// Landed at +62 and offloaded at +63: trade 30 v2, trade 7 again, late trades 98..101 at minute -10 (with trade 21);
/// trades 61..70 at minutes 30..39; candles of minutes 6..10 v2. Landed at +64, not offloaded: trade 20 v2, trade 61
/// v2, late trades 200 and 201 at minute -11.5, trades 71..80 at minutes 40..49; candles of minutes 16..20 v3 and
/// 56..65 v1. The same exchange's other symbol and the same symbol on another exchange are written beside it.
/// Reads happen at +65.
/// </remarks>
public abstract class HistoryTests(EmbeddedClickHouseFixture fixture) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Instrument Main = TradeRows.KrakenBtc;
    private static readonly Instrument OtherExchange = TradeRows.CoinbaseBtc;
    private static readonly Instrument OtherSymbol = new(Exchange.Kraken, "ETH-USD", "ETH/USD", "ETH", "USD", 2, 8);

    private readonly TempDirectory _root = TempDirectory.BelowWorkingDirectory("k2-history");

    /// <summary>An empty warehouse private to the running test; <paramref name="directory"/> is free for a local one.</summary>
    protected abstract IObjectStore CreateWarehouse(string directory);

    /// <summary>The keys ClickHouse signs its S3 reads with, for an S3 warehouse.</summary>
    protected abstract S3WarehouseOptions? S3 { get; }

    public virtual void Dispose()
    {
        _root.Dispose();
        GC.SuppressFinalize(this);
    }

    private static UnixMicros At(double minutes) => new(TradeRows.Day.Value + (long)(minutes * 60_000_000));

    private static Trade Trade(Instrument instrument, long id, decimal price, double minute) =>
        TradeRows.Make(instrument, id, price, quantity: 0.5m + id, side: id % 2 == 0 ? TradeSide.Buy : TradeSide.Sell,
            exchangeOffsetMicros: At(minute).Value - TradeRows.Day.Value);

    private static Candle Candle(Instrument instrument, Timeframe timeframe, UnixMicros start, long version) => new(
        instrument, timeframe, start,
        Open: 100_000_000L * (1_000 + version), High: 200_000_000L * (1_000 + version), Low: 50_000_000L, Close: 150_000_000L + version,
        Volume: (Int128)start.Value * 3, QuoteVolume: Int128.Parse("12345678901234567890123456", CultureInfo.InvariantCulture) + version,
        BuyVolume: 7 + version, SellVolume: 11, TradeCount: version * 10, Vwap: (Int128)start.Value + version, Version: version);

    private static IEnumerable<Candle> Minutes(Instrument instrument, int first, int last, long version) =>
        Enumerable.Range(first, last - first + 1).Select(m => Candle(instrument, Timeframe.OneMinute, At(m), version));

    private async Task<TieredStore> StoreAsync() => await TieredStore.CreateAsync(
        fixture, CreateWarehouse(Path.Combine(_root.Path, "warehouse")), S3, Path.Combine(_root.Path, "state.db"),
        new ManualTimeProvider(At(60).ToDateTimeOffset()), Ct);

    /// <summary>Writes the first landing of the scenario (see the class remarks).</summary>
    private static async Task WriteFirstLandingAsync(TieredStore store)
    {
        await store.WriteTradesAsync(At(60), [
            .. Enumerable.Range(1, 60).Select(i => Trade(Main, i, 60_000m + i, i - 31)),
            .. Enumerable.Range(1, 60).Select(i => Trade(OtherExchange, i, 70_000m + i, i - 31)),
            .. Enumerable.Range(1, 10).Select(i => Trade(OtherSymbol, i, 3_000m + i, i - 31))], Ct);
        await store.WriteTradesAsync(At(60), [Trade(Main, 7, 60_007m, -24)], Ct); // stored twice in one slice
        await store.WriteCandlesAsync(At(60), [
            .. Minutes(Main, -4, 55, version: 1),
            .. Minutes(OtherExchange, -4, 55, version: 1),
            .. Enumerable.Range(0, 12).Select(k => Candle(Main, Timeframe.FiveMinutes, At(-5 + (5 * k)), 1))], Ct);
    }

    /// <summary>The whole scenario (see the class remarks), two offloads included; the clock ends at +65.</summary>
    private static async Task<TieredStore> ScenarioAsync(TieredStore store)
    {
        await WriteFirstLandingAsync(store);
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.OffloadAsync(Ct);

        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.WriteTradesAsync(At(62), [
            Trade(Main, 30, 61_030m, -1),
            Trade(Main, 7, 60_007m, -24),
            .. new[] { 101, 99, 100, 98 }.Select(i => Trade(Main, i, 60_000m + i, -10)),
            .. Enumerable.Range(61, 10).Select(i => Trade(Main, i, 60_000m + i, i - 31))], Ct);
        await store.WriteCandlesAsync(At(62), Minutes(Main, 6, 10, version: 2), Ct);
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.OffloadAsync(Ct);

        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.WriteTradesAsync(At(64), [
            Trade(Main, 20, 62_020m, -11),
            Trade(Main, 61, 62_061m, 30),
            Trade(Main, 201, 60_201m, -11.5),
            Trade(Main, 200, 60_200m, -11.5),
            .. Enumerable.Range(71, 10).Select(i => Trade(Main, i, 60_000m + i, i - 31))], Ct);
        await store.WriteCandlesAsync(At(64), [.. Minutes(Main, 16, 20, version: 3), .. Minutes(Main, 56, 65, version: 1)], Ct);
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        return store;
    }

    private static TradeHistoryQuery Trades(UnixMicros? from, UnixMicros? to, ReadDirection direction = ReadDirection.OldestFirst, int limit = 1_000, TradePosition? after = null) =>
        new(Main.Exchange, Main.Symbol, from, to, direction, after, limit);

    private static CandleHistoryQuery Candles(UnixMicros? from, UnixMicros? to, ReadDirection direction = ReadDirection.OldestFirst, int limit = 1_000, UnixMicros? after = null) =>
        new(Main.Exchange, Main.Symbol, Timeframe.OneMinute, from, to, direction, after, limit);

    /// <summary>Reads page after page of the first query's limit, each after the last row of the one before, until a short page.</summary>
    private static async Task<List<StoredTrade>> PageThroughAsync(TieredStore store, TradeHistoryQuery first)
    {
        var all = new List<StoredTrade>();
        var query = first;
        while (true)
        {
            var page = await store.Trades.ReadAsync(query, Ct);
            page.Count.ShouldBeLessThanOrEqualTo(first.Limit);
            all.AddRange(page);
            if (page.Count < first.Limit)
            {
                return all;
            }

            query = query with { After = new TradePosition(page[^1].ExchangeTime, page[^1].TradeId) };
        }
    }

    private static async Task<List<StoredCandle>> PageThroughAsync(TieredStore store, CandleHistoryQuery first)
    {
        var all = new List<StoredCandle>();
        var query = first;
        while (true)
        {
            var page = await store.Candles.ReadAsync(query, Ct);
            page.Count.ShouldBeLessThanOrEqualTo(first.Limit);
            all.AddRange(page);
            if (page.Count < first.Limit)
            {
                return all;
            }

            query = query with { After = page[^1].BucketStart };
        }
    }

    [Fact]
    public async Task The_whole_range_holds_each_trade_once_at_its_latest_version_and_stays_the_same_once_hot_copies_are_removed()
    {
        using var store = await ScenarioAsync(await StoreAsync());
        var expected = store.ExpectedTrades(Main.Exchange, Main.Symbol);
        expected.Count.ShouldBe(60 + 4 + 20 + 2);
        expected.Single(t => t.TradeId == "20").Price.ShouldBe(62_020m, "v2 landed after the last offload");
        expected.Single(t => t.TradeId == "30").Price.ShouldBe(61_030m, "v2 offloaded in the second slice");
        expected.Where(t => t.ExchangeTime == At(-10)).Select(t => t.TradeId).ShouldBe(["21", "98", "99", "100", "101"]);

        var before = await store.Trades.ReadAsync(Trades(At(-60), At(120)), Ct);
        var left = await store.RemoveOffloadedAsync(Ct);
        var after = await store.Trades.ReadAsync(Trades(At(-60), At(120)), Ct);
        var unbounded = await store.Trades.ReadAsync(Trades(null, null), Ct);

        before.ShouldBe(expected);
        left.Trades.ShouldBe(14, "only the rows landed after the last offload stay hot");
        after.ShouldBe(expected);
        unbounded.ShouldBe(expected);
    }

    [Fact]
    public async Task A_range_straddling_the_watermark_returns_each_trade_once()
    {
        using var store = await ScenarioAsync(await StoreAsync());
        var expected = store.ExpectedTrades(Main.Exchange, Main.Symbol).Where(t => t.ExchangeTime >= At(-12) && t.ExchangeTime < At(35)).ToList();
        // Offloaded (both tiers until removed) and not (hot only): trades 19..60 but 20 v2, 98..101, 200 and 201, 61..65.
        expected.Select(t => t.TradeId).Order().ShouldBe(
            [.. new[] { 19 }.Concat(Enumerable.Range(21, 40)).Concat([20, 98, 99, 100, 101, 200, 201, 61, 62, 63, 64, 65]).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order()]);

        var before = await store.Trades.ReadAsync(Trades(At(-12), At(35)), Ct);
        await store.RemoveOffloadedAsync(Ct);
        var after = await store.Trades.ReadAsync(Trades(At(-12), At(35)), Ct);

        before.ShouldBe(expected);
        after.ShouldBe(expected);
    }

    [Fact]
    public async Task Pages_of_a_few_trades_concatenate_to_the_whole_answer_in_both_directions()
    {
        using var store = await ScenarioAsync(await StoreAsync());
        await store.RemoveOffloadedAsync(Ct);
        var expected = store.ExpectedTrades(Main.Exchange, Main.Symbol);
        var straddling = expected.Where(t => t.ExchangeTime >= At(-12) && t.ExchangeTime < At(35)).ToList();

        (await PageThroughAsync(store, Trades(At(-60), At(120), limit: 7))).ShouldBe(expected);
        (await PageThroughAsync(store, Trades(null, null, ReadDirection.NewestFirst, limit: 7))).ShouldBe(expected.Reverse());
        (await PageThroughAsync(store, Trades(At(-12), At(35), ReadDirection.NewestFirst, limit: 5))).ShouldBe(straddling.AsEnumerable().Reverse());
        (await PageThroughAsync(store, Trades(At(-12), At(35), limit: 1))).ShouldBe(straddling);
    }

    [Fact]
    public async Task Without_a_range_the_latest_trades_come_newest_first()
    {
        using var store = await ScenarioAsync(await StoreAsync());
        var newestFirst = store.ExpectedTrades(Main.Exchange, Main.Symbol).Reverse().ToList();

        // The last hour before the clock (+65) holds 45 of them: 10 comes from it, 100 needs the last day.
        (await store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 10), Ct)).ShouldBe(newestFirst.Take(10));
        (await store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 100), Ct)).ShouldBe(newestFirst);
        await store.RemoveOffloadedAsync(Ct);
        (await store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 10), Ct)).ShouldBe(newestFirst.Take(10));
        (await store.Trades.ReadAsync(Trades(null, At(0), ReadDirection.NewestFirst, limit: 12), Ct))
            .ShouldBe(newestFirst.Where(t => t.ExchangeTime < At(0)).Take(12));
    }

    [Fact]
    public async Task Each_candle_comes_once_at_its_highest_version_across_the_tiers()
    {
        using var store = await ScenarioAsync(await StoreAsync());
        var expected = store.ExpectedCandles(Main.Exchange, Main.Symbol, Timeframe.OneMinute);
        expected.Count.ShouldBe(70);
        expected.Where(c => c.BucketStart >= At(6) && c.BucketStart <= At(10)).ShouldAllBe(c => c.Version == 2);
        expected.Where(c => c.BucketStart >= At(16) && c.BucketStart <= At(20)).ShouldAllBe(c => c.Version == 3);

        var before = await store.Candles.ReadAsync(Candles(At(-60), At(120)), Ct);
        var left = await store.RemoveOffloadedAsync(Ct);
        var after = await store.Candles.ReadAsync(Candles(At(-60), At(120)), Ct);

        before.ShouldBe(expected);
        left.Candles.ShouldBe(15, "only the candles landed after the last offload stay hot");
        after.ShouldBe(expected);
        (await store.Candles.ReadAsync(Candles(null, null, ReadDirection.NewestFirst, limit: 5), Ct)).ShouldBe(expected.Reverse().Take(5));
        (await PageThroughAsync(store, Candles(At(-3), At(60), limit: 9))).ShouldBe(expected.Where(c => c.BucketStart >= At(-3) && c.BucketStart < At(60)));
        (await PageThroughAsync(store, Candles(null, null, ReadDirection.NewestFirst, limit: 9))).ShouldBe(expected.Reverse());
        // Never offloaded: the 5m table is not in the catalog, so the hot tier alone answers.
        (await store.Candles.ReadAsync(Candles(null, null) with { Timeframe = Timeframe.FiveMinutes }, Ct))
            .ShouldBe(store.ExpectedCandles(Main.Exchange, Main.Symbol, Timeframe.FiveMinutes));
    }

    [Fact]
    public async Task Before_the_first_offload_the_hot_tier_alone_answers()
    {
        using var store = await StoreAsync();
        await WriteFirstLandingAsync(store);

        (await store.Trades.ReadAsync(Trades(null, null), Ct)).ShouldBe(store.ExpectedTrades(Main.Exchange, Main.Symbol));
        (await store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 3), Ct))
            .ShouldBe(store.ExpectedTrades(Main.Exchange, Main.Symbol).Reverse().Take(3));
        (await store.Candles.ReadAsync(Candles(null, null), Ct)).ShouldBe(store.ExpectedCandles(Main.Exchange, Main.Symbol, Timeframe.OneMinute));
        (await store.Catalog.ListTablesAsync("cold", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_metadata_file_the_catalog_does_not_point_at_is_never_read()
    {
        using var store = await ScenarioAsync(await StoreAsync());
        await store.RemoveOffloadedAsync(Ct);
        // What a writer that lost the catalog's swap and stopped before removing its file leaves: a later version, here
        // a copy of the first (no snapshot), which ClickHouse's reader would take by its number if it were not pinned.
        var metadata = $"{ColdTables.Namespace}/{ColdTables.SilverTrades.Name}/{MetadataFileNames.MetadataDirectory}/";
        var first = new List<string>();
        await foreach (var file in store.Warehouse.ListAsync(metadata, Ct))
        {
            if (MetadataFileNames.VersionOf(file.Key) == 1)
            {
                first.Add(file.Key);
            }
        }

        await store.Warehouse.PutAsync(metadata + MetadataFileNames.MetadataFile(99), (await store.Warehouse.GetAsync(first.ShouldHaveSingleItem(), Ct))!, Ct);

        (await store.Trades.ReadAsync(Trades(null, null), Ct)).ShouldBe(store.ExpectedTrades(Main.Exchange, Main.Symbol));
    }

    [Fact]
    public async Task The_statement_runs_in_a_format_of_the_callers_choosing_with_the_columns_it_names()
    {
        using var store = await ScenarioAsync(await StoreAsync());
        await store.RemoveOffloadedAsync(Ct);

        var tradeRange = Trades(At(-10), At(-9));
        var trades = await store.Trades.SqlAsync(tradeRange, ["trade_id", "side", "price", "exchange_ts"], await store.Trades.BoundsAsync(tradeRange, Ct), Ct);
        var candleRange = Candles(At(19), At(21));
        var candles = await store.Candles.SqlAsync(candleRange, ["timeframe", "bucket_start", "version", "exchange"], await store.Candles.BoundsAsync(candleRange, Ct), Ct);

        (await Csv(store, trades)).ShouldBe(
            """
            "21","sell",60021,"2026-01-01 23:50:00.000000"
            "98","buy",60098,"2026-01-01 23:50:00.000000"
            "99","sell",60099,"2026-01-01 23:50:00.000000"
            "100","buy",60100,"2026-01-01 23:50:00.000000"
            "101","sell",60101,"2026-01-01 23:50:00.000000"
            """.Replace("2026-01-01", TradeRows.Day.ToDateTimeOffset().AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal));
        (await Csv(store, candles)).ShouldBe(
            """
            "1m","2026-01-02 00:19:00.000000",3,"kraken"
            "1m","2026-01-02 00:20:00.000000",3,"kraken"
            """.Replace("2026-01-02", TradeRows.Day.ToDateTimeOffset().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await Should.ThrowAsync<ArgumentException>(() => store.Trades.SqlAsync(Trades(null, null), ["trade_id; DROP TABLE x"], new TierBounds(null, null), Ct));
    }

    [Fact]
    public async Task The_cold_tier_is_left_out_where_its_bounds_show_it_adds_nothing_and_read_where_it_may_add_rows()
    {
        using var store = await ScenarioAsync(await StoreAsync());
        await store.RemoveOffloadedAsync(Ct);
        var expected = store.ExpectedTrades(Main.Exchange, Main.Symbol);
        var newestFirst = expected.Reverse().ToList();
        var candles = store.ExpectedCandles(Main.Exchange, Main.Symbol, Timeframe.OneMinute);

        // Before the bounds of the snapshot are known, both tiers are read (and the bounds are asked for).
        await ShouldReadAsync(store, () => store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 10), Ct), newestFirst.Take(10), [true]);
        await ShouldReadAsync(store, () => store.Candles.ReadAsync(Candles(null, null, ReadDirection.NewestFirst, limit: 5), Ct), candles.Reverse().Take(5), [true]);
        await store.ColdBounds.RefreshedAsync();

        // Cold holds kraken BTC-USD trades up to minute 39 (trade 70); hot still holds 71..80 (minutes 40..49), 61 v2 (30),
        // 20 v2 (-11), 200 and 201 (-11.5). Cold candles reach bucket 55; hot holds 16..20 v3 and 56..65.
        // A full hot page newer than every cold trade:
        await ShouldReadAsync(store, () => store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 10), Ct), newestFirst.Take(10), [false]);
        // The hot page reaches minute 30, inside cold: trade 70 (cold only) belongs to it.
        await ShouldReadAsync(store, () => store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 11), Ct), newestFirst.Take(11), [false, true]);
        // A range above the cold bounds; a position whose page stays above them.
        await ShouldReadAsync(store, () => store.Trades.ReadAsync(Trades(At(40), At(120)), Ct), expected.Where(t => t.ExchangeTime >= At(40)), [false]);
        await ShouldReadAsync(
            store, () => store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 3, after: new TradePosition(At(45), "76")), Ct),
            newestFirst.SkipWhile(t => t.TradeId != "76").Skip(1).Take(3), [false]);
        // Inside the cold bounds, where the hot rows were removed; a newest-first range ending inside them.
        await ShouldReadAsync(
            store, () => store.Trades.ReadAsync(Trades(At(-30), At(0)), Ct), expected.Where(t => t.ExchangeTime >= At(-30) && t.ExchangeTime < At(0)), [true]);
        await ShouldReadAsync(
            store, () => store.Trades.ReadAsync(Trades(null, At(-10), ReadDirection.NewestFirst, limit: 4), Ct), newestFirst.Where(t => t.ExchangeTime < At(-10)).Take(4), [true]);
        await ShouldReadAsync(store, () => store.Candles.ReadAsync(Candles(null, null, ReadDirection.NewestFirst, limit: 5), Ct), candles.Reverse().Take(5), [false]);
        await ShouldReadAsync(store, () => store.Candles.ReadAsync(Candles(At(56), At(120)), Ct), candles.Where(c => c.BucketStart >= At(56)), [false]);
        // v1 of minutes 0..5 is cold only. A range read takes each tier on its own and merges them; the cold page is
        // kept for its snapshot, so the same read again asks the hot tier alone.
        await ShouldReadAsync(
            store, () => store.Candles.ReadAsync(Candles(At(0), At(30)), Ct), candles.Where(c => c.BucketStart >= At(0) && c.BucketStart < At(30)), [false, true]);
        await ShouldReadAsync(
            store, () => store.Candles.ReadAsync(Candles(At(0), At(30)), Ct), candles.Where(c => c.BucketStart >= At(0) && c.BucketStart < At(30)), [false]);
        // The page's span of buckets holds 10 hot candles, all the hot tier reaches 19 (inside cold): both tiers then.
        await ShouldReadAsync(store, () => store.Candles.ReadAsync(Candles(null, null, ReadDirection.NewestFirst, limit: 12), Ct), candles.Reverse().Take(12), [false, false, true]);

        // An instrument the cold snapshot does not hold is read from the hot tier alone.
        var newcomer = new Instrument(Exchange.Coinbase, "ETH-USD", "ETH-USD", "ETH", "USD", 2, 8);
        await store.WriteTradesAsync(At(64), [.. Enumerable.Range(1, 3).Select(i => Trade(newcomer, i, 3_000m + i, 50 + i))], Ct);
        await ShouldReadAsync(
            store, () => store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 2) with { Exchange = newcomer.Exchange, Symbol = newcomer.Symbol }, Ct),
            store.ExpectedTrades(newcomer.Exchange, newcomer.Symbol).Reverse().Take(2), [false]);

        // A new snapshot: the bounds known are the old one's, so reads take both tiers until the new one's are read.
        await store.WriteTradesAsync(At(65), [Trade(Main, 81, 60_081m, 50)], Ct);
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.OffloadAsync(Ct);
        var latest = store.ExpectedTrades(Main.Exchange, Main.Symbol).Reverse().Take(2).ToList();
        await ShouldReadAsync(store, () => store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 2), Ct), latest, [true]);
        // Trade 81 is the newest cold trade now: a hot page holding it proves nothing.
        await ShouldReadAsync(store, () => store.Trades.ReadAsync(Trades(null, null, ReadDirection.NewestFirst, limit: 2), Ct), latest, [false, true]);
    }

    /// <summary>
    /// Runs <paramref name="read"/> once any bounds aggregate has ended, and checks its rows and, per statement it sent,
    /// whether that statement read the cold table.
    /// </summary>
    private static async Task ShouldReadAsync<T>(TieredStore store, Func<Task<IReadOnlyList<T>>> read, IEnumerable<T> expected, bool[] cold)
    {
        await store.ColdBounds.RefreshedAsync();
        store.Reads.Statements.Clear();
        var rows = await read();
        var statements = store.Reads.Statements.Where(s => !s.Contains("GROUP BY exchange, symbol", StringComparison.Ordinal)).ToList();

        rows.ShouldBe(expected);
        statements.Select(s => s.Contains("{cold_table:String}", StringComparison.Ordinal)).ShouldBe(cold);
    }

    private static Task<string> Csv(TieredStore store, HistorySql sql) =>
        store.ClickHouse.QueryAsync(sql.Text, sql.Parameters, "CSV", static data => Encoding.UTF8.GetString(data).TrimEnd('\n'), Ct);
}

/// <summary>The suite on a local warehouse below the working directory, read with <c>icebergLocal</c>.</summary>
public sealed class LocalHistoryTests(EmbeddedClickHouseFixture fixture) : HistoryTests(fixture)
{
    private readonly EmbeddedClickHouseFixture _fixture = fixture;

    protected override IObjectStore CreateWarehouse(string directory) => new LocalDirectoryObjectStore(directory);

    protected override S3WarehouseOptions? S3 => null;

    [Fact]
    public async Task A_local_warehouse_outside_the_working_directory_is_refused_with_the_reason_in_words()
    {
        using var outside = new TempDirectory("k2-history-outside");
        using var store = await TieredStore.CreateAsync(
            _fixture, new LocalDirectoryObjectStore(Path.Combine(outside.Path, "warehouse")), null, Path.Combine(outside.Path, "state.db"),
            new ManualTimeProvider(TradeRows.Day.ToDateTimeOffset().AddHours(1)), TestContext.Current.CancellationToken);
        await store.WriteTradesAsync(TradeRows.Day, [TradeRows.Make(TradeRows.CoinbaseBtc, 1, 100m)], TestContext.Current.CancellationToken);
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await store.OffloadAsync(TestContext.Current.CancellationToken);

        var refused = await Should.ThrowAsync<InvalidOperationException>(() => store.Trades.ReadAsync(
            new TradeHistoryQuery(Exchange.Coinbase, TradeRows.CoinbaseBtc.Symbol, null, null, ReadDirection.NewestFirst, null, 1), TestContext.Current.CancellationToken));

        refused.Message.ShouldContain("outside the working directory");
        refused.Message.ShouldContain("Start K2 from a directory that contains the warehouse");
    }
}

/// <summary>The suite on a real s3rver (each test under its own prefix in the bucket), read with <c>icebergS3</c>.</summary>
public sealed class S3HistoryTests(EmbeddedClickHouseFixture fixture, S3rverFixture s3rver) : HistoryTests(fixture), IClassFixture<S3rverFixture>
{
    private readonly string _prefix = $"test-{Guid.NewGuid():N}";
    private S3ObjectStore? _store;

    protected override IObjectStore CreateWarehouse(string directory) => _store = new S3ObjectStore(s3rver.Options(_prefix), enforcesCreateOnly: false);

    protected override S3WarehouseOptions? S3 => s3rver.Options(_prefix);

    public override void Dispose()
    {
        _store?.Dispose();
        base.Dispose();
    }
}
