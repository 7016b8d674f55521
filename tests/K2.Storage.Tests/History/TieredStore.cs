using System.Buffers;
using K2.Core;
using K2.Core.Candles;
using K2.Core.Trades;
using K2.Storage.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.History;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.ObjectStores;
using K2.Storage.Tests.Support;
using K2.Storage.Trades;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.History;

/// <summary>
/// Both tiers for one test: a fresh hot database, a warehouse with a SQLite catalog, the real offload cycle, and the
/// two history readers over them, all on one manual clock. It remembers every row written, so a test can state the
/// exact answer: each key's latest row (by ingest time for trades, by version for candles).
/// </summary>
internal sealed class TieredStore : IDisposable
{
    private static readonly string[] OffloadedTables = [ColdTables.SilverTrades.Name, ColdTables.GoldOhlcv(Timeframe.OneMinute).Name];

    private readonly EmbeddedClickHouseFixture _fixture;
    private readonly SqliteDatabaseFile _state;
    private readonly TestMeterFactory _meters = new();
    private readonly OffloadCycle _cycle;
    private readonly List<StoredTrade> _trades = [];
    private readonly List<(Candle Candle, UnixMicros UpdatedAt)> _candles = [];

    private TieredStore(
        EmbeddedClickHouseFixture fixture, HotStoreOptions hot, IObjectStore warehouse, S3WarehouseOptions? s3, string stateFile, ManualTimeProvider clock,
        HotCandlePages? hotPages)
    {
        _fixture = fixture;
        Hot = hot;
        Warehouse = warehouse;
        Clock = clock;
        _state = new SqliteDatabaseFile(stateFile);
        Catalog = new SqlCatalog(_state.DataSource, "k2");
        var offloader = new TableOffloader(
            fixture.ClickHouse, hot, warehouse, new TableMetadataCommitter(warehouse, Catalog, NullLogger<TableMetadataCommitter>.Instance),
            new OffloadStateStore(_state.DataSource), new OffloadOptions { SafetyLag = TimeSpan.Zero }, clock, NullLogger<TableOffloader>.Instance);
        _cycle = new OffloadCycle(offloader, Catalog, new OffloadStateStore(_state.DataSource), new OffloadMetrics(_meters, clock), clock, NullLogger<OffloadCycle>.Instance);
        var cold = new ColdTableSource(Catalog, warehouse, s3);
        Reads = new RecordingClickHouseClient(fixture.ClickHouse);
        ColdBounds = new ColdTimeBounds(Reads, cold, clock, NullLogger<ColdTimeBounds>.Instance);
        Trades = new TradeHistory(Reads, hot, cold, ColdBounds, clock);
        Candles = new CandleHistory(Reads, hot, cold, ColdBounds, ColdPages, clock, hotPages);
    }

    public HotStoreOptions Hot { get; }

    public IObjectStore Warehouse { get; }

    public ManualTimeProvider Clock { get; }

    public SqlCatalog Catalog { get; }

    public TradeHistory Trades { get; }

    public CandleHistory Candles { get; }

    /// <summary>The cold pages <see cref="Candles"/> keeps.</summary>
    public ColdPageCache ColdPages { get; } = new();

    public IClickHouseClient ClickHouse => _fixture.ClickHouse;

    /// <summary>Every statement the history readers and <see cref="ColdBounds"/> sent.</summary>
    public RecordingClickHouseClient Reads { get; }

    public ColdTimeBounds ColdBounds { get; }

    /// <summary>
    /// A store whose state database is <paramref name="stateFile"/>, with merges of both hot tables stopped (so a row
    /// written twice stays twice); <see cref="Candles"/> keeps hot pages in <paramref name="hotPages"/> when given.
    /// </summary>
    public static async Task<TieredStore> CreateAsync(
        EmbeddedClickHouseFixture fixture, IObjectStore warehouse, S3WarehouseOptions? s3, string stateFile, ManualTimeProvider clock, CancellationToken cancellationToken,
        HotCandlePages? hotPages = null)
    {
        var hot = await fixture.CreateDatabaseAsync(cancellationToken);
        foreach (var table in new[] { SilverTradesTable.TableName, OhlcvTable.TableName })
        {
            await fixture.ClickHouse.ExecuteAsync($"SYSTEM STOP MERGES {hot.Database}.{table}", null, cancellationToken);
        }

        return new TieredStore(fixture, hot, warehouse, s3, stateFile, clock, hotPages);
    }

    /// <summary>Writes <paramref name="trades"/> to the hot tier in one insert, landed at <paramref name="ingest"/>.</summary>
    public async Task WriteTradesAsync(UnixMicros ingest, IEnumerable<Trade> trades, CancellationToken cancellationToken)
    {
        var rows = trades.ToList();
        await TradeRows.InsertAsync(_fixture.ClickHouse, Hot.Database, rows, ingest, cancellationToken);
        _trades.AddRange(rows.Select(t => TradeRows.Expected(t, ingest)));
    }

    /// <summary>Writes <paramref name="candles"/> to the hot tier in one insert, landed at <paramref name="updatedAt"/>.</summary>
    public async Task WriteCandlesAsync(UnixMicros updatedAt, IEnumerable<Candle> candles, CancellationToken cancellationToken)
    {
        var table = new OhlcvTable();
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new RowBinaryWriter(buffer);
        var rows = candles.ToList();
        foreach (var candle in rows)
        {
            table.Write(writer, candle, updatedAt);
        }

        await _fixture.ClickHouse.InsertAsync(
            $"INSERT INTO {Hot.Database}.{OhlcvTable.TableName} ({string.Join(", ", table.Columns)})", ClickHouseFormats.RowBinary, buffer.WrittenMemory, cancellationToken);
        _candles.AddRange(rows.Select(c => (c, updatedAt)));
    }

    /// <summary>Runs the offload cycle for <c>cold.silver_trades</c> and <c>cold.gold_ohlcv_1m</c> at the clock's time; both must succeed.</summary>
    public async Task OffloadAsync(CancellationToken cancellationToken)
    {
        var outcomes = await _cycle.RunAsync(OffloadedTables, null, cancellationToken);
        outcomes.Select(o => o.Error).ShouldAllBe(error => error == null);
    }

    /// <summary>
    /// Removes from the hot tables every row the offload has copied to the two cold tables (landed at or before each
    /// one's watermark), as the hot TTL eventually does; returns the rows of each cold table's slice of its hot table left.
    /// </summary>
    public async Task<(long Trades, long Candles)> RemoveOffloadedAsync(CancellationToken cancellationToken)
    {
        var state = new OffloadStateStore(_state.DataSource);
        var left = new long[2];
        var tables = new[] { (ColdTables.SilverTrades, "ingest_ts"), (ColdTables.GoldOhlcv(Timeframe.OneMinute), "updated_at") };
        for (var i = 0; i < tables.Length; i++)
        {
            var (cold, landed) = tables[i];
            var watermark = (await state.LoadWatermarkAsync(cold.Name, cancellationToken)).ShouldNotBeNull().IngestTime;
            var hot = $"{Hot.Database}.{cold.HotTable}";
            await _fixture.ClickHouse.ExecuteAsync($"SYSTEM START MERGES {hot}", null, cancellationToken);
            await _fixture.ClickHouse.ExecuteAsync(
                $"ALTER TABLE {hot} DELETE WHERE {landed} <= {{watermark:DateTime64(6, 'UTC')}}{(cold.HotFilter is { } only ? $" AND {only}" : "")} SETTINGS mutations_sync = 2",
                new ClickHouseParameters().Add("watermark", watermark), cancellationToken);
            left[i] = long.Parse(
                await _fixture.ClickHouse.QueryTextAsync($"SELECT count() FROM {hot}{(cold.HotFilter is { } filter ? $" WHERE {filter}" : "")}", cancellationToken),
                System.Globalization.CultureInfo.InvariantCulture);
        }

        return (left[0], left[1]);
    }

    /// <summary>Every trade of the instrument written so far, once, at its latest version, oldest first.</summary>
    public IReadOnlyList<StoredTrade> ExpectedTrades(Exchange exchange, string symbol) =>
        [.. _trades.Where(t => t.Exchange == exchange.ToName() && t.Symbol == symbol)
            .GroupBy(t => t.TradeId)
            .Select(g => g.MaxBy(t => t.IngestTime)!)
            .OrderBy(t => t.ExchangeTime).ThenBy(t => t.TradeId.Length).ThenBy(t => t.TradeId, StringComparer.Ordinal)];

    /// <summary>Every candle of the instrument and timeframe written so far, once, at its highest version, oldest first.</summary>
    public IReadOnlyList<StoredCandle> ExpectedCandles(Exchange exchange, string symbol, Timeframe timeframe) =>
        [.. _candles.Where(c => c.Candle.Instrument.Exchange == exchange && c.Candle.Instrument.Symbol == symbol && c.Candle.Timeframe == timeframe)
            .GroupBy(c => c.Candle.BucketStart)
            .Select(g => g.MaxBy(c => (c.Candle.Version, c.UpdatedAt.Value)).Candle)
            .OrderBy(c => c.BucketStart)
            .Select(c => new StoredCandle(
                exchange, symbol, timeframe, c.BucketStart, c.Open, c.High, c.Low, c.Close,
                c.Volume, c.QuoteVolume, c.BuyVolume, c.SellVolume, c.TradeCount, c.Vwap, c.Version))];

    public void Dispose()
    {
        // A bounds aggregate a read started must not outlive the warehouse and catalog it reads.
        ColdBounds.RefreshedAsync().GetAwaiter().GetResult();
        _meters.Dispose();
        _state.Dispose();
    }
}
