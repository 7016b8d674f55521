using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.Iceberg.Parquet;
using K2.Storage.ObjectStores;
using K2.Storage.Tests.Support;
using K2.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Iceberg.Offload;

/// <summary>
/// Offloads from the real hot store into a local warehouse with a SQLite catalog, read back by chDB's own Iceberg reader.
/// The warehouse lies below the working directory, the only place chDB's <c>icebergLocal</c> may read.
/// </summary>
public sealed class TableOffloaderTests(EmbeddedClickHouseFixture fixture) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ColdTable Silver = ColdTables.SilverTrades;
    private static readonly ColdTable Bronze = ColdTables.BronzeTrades(Exchange.Kraken);
    private static readonly ColdTable Gold = ColdTables.GoldOhlcv(Timeframe.OneMinute);

    private readonly DirectoryInfo _root = Directory.CreateDirectory(Path.Combine(Environment.CurrentDirectory, $"k2-offload-{Guid.NewGuid():N}"));
    private SqliteDataSourceHolder _catalogDatabase = null!;
    private HotStoreOptions _hot = null!;
    private LocalDirectoryObjectStore _warehouse = null!;
    private SqlCatalog _catalog = null!;

    public async ValueTask InitializeAsync()
    {
        _hot = await fixture.CreateDatabaseAsync(Ct);
        _warehouse = new LocalDirectoryObjectStore(Path.Combine(_root.FullName, "warehouse"));
        _catalogDatabase = new SqliteDataSourceHolder(Path.Combine(_root.FullName, "state.db"));
        _catalog = new SqlCatalog(_catalogDatabase.DataSource, "k2");
        await _catalog.CreateTablesAsync(Ct);
        await _catalog.CreateNamespaceAsync(ColdTables.Namespace, Ct);
    }

    public ValueTask DisposeAsync()
    {
        _catalogDatabase.Dispose();
        _root.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private TableOffloader Offloader() => new(
        fixture.ClickHouse, _hot, _warehouse, _catalog, new OffloadStateStore(_catalogDatabase.DataSource),
        new OffloadOptions { SafetyLag = TimeSpan.Zero }, TimeProvider.System, NullLogger<TableOffloader>.Instance);

    private static UnixMicros MinutesAgo(int minutes) => UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-minutes));

    /// <summary>Trades over two days (two partitions), every side and amount shape, landed at <paramref name="ingest"/>.</summary>
    private Task InsertSilverAsync(int first, int count, UnixMicros ingest) => fixture.ClickHouse.ExecuteAsync($$"""
        INSERT INTO {{_hot.Database}}.silver_trades
        SELECT 'binance', if(number % 3 = 0, 'ETH-USDT', 'BTC-USDT'), if(number % 3 = 0, 'ETHUSDT', 'BTCUSDT'), toString(number),
               toDecimal64(87000, 8) + toDecimal64(number, 8) / 100000000, toDecimal64(number % 97 + 1, 8) / 1000,
               if(number % 2 = 0, 'buy', 'sell'),
               {day:DateTime64(6, 'UTC')} - toIntervalMicrosecond(number * 1000003),
               {day:DateTime64(6, 'UTC')} - toIntervalMicrosecond(number * 1000003) + toIntervalMicrosecond(250),
               {ingest:DateTime64(6, 'UTC')}
        FROM numbers({{first}}, {{count}})
        """, new ClickHouseParameters().Add("day", new UnixMicros(TradeRows.Day.Value + 3_600_000_000L)).Add("ingest", ingest), Ct);

    private Task InsertBronzeAsync(UnixMicros ingest) => fixture.ClickHouse.ExecuteAsync($$"""
        INSERT INTO {{_hot.Database}}.bronze_trades_kraken
        SELECT {day:DateTime64(6, 'UTC')} + toIntervalSecond(number), if(number % 5 = 0, 'rest', 'websocket'), 'kraken/abc/1', number, 0,
               'BTC/USD', 'BTC-USD', toString(number),
               if(number % 4 = 0, NULL, toDecimal64(90000, 8)), if(number % 4 = 0, NULL, toDecimal64(0.5, 8)),
               if(number % 4 = 0, NULL, 'sell'), if(number % 4 = 0, NULL, {day:DateTime64(6, 'UTC')}),
               concat('{"channel":"trade","n":', toString(number), '}'),
               if(number % 4 = 0, 'invalid_price', ''), if(number % 4 = 0, ['price is not a number', 'second'], []),
               {ingest:DateTime64(6, 'UTC')}
        FROM numbers(500)
        """, new ClickHouseParameters().Add("day", TradeRows.Day).Add("ingest", ingest), Ct);

    private Task InsertCandlesAsync(UnixMicros ingest, int version) => fixture.ClickHouse.ExecuteAsync($$"""
        INSERT INTO {{_hot.Database}}.ohlcv
        SELECT 'binance', 'BTC-USDT', tf, {day:DateTime64(6, 'UTC')} + toIntervalMinute(number), toDecimal64(1, 8), toDecimal64(2, 8),
               toDecimal64(0.5, 8), toDecimal64(1.5, 8), toDecimal128(12345678901234567890.12345678, 8), toDecimal128(1.1234567890123456, 16),
               toDecimal128(1, 8), toDecimal128(2, 8), number + 1, toDecimal128(1.0000000000000001, 16), {{version}}, {ingest:DateTime64(6, 'UTC')}
        FROM numbers(100) ARRAY JOIN ['1m', '5m'] AS tf
        """, new ClickHouseParameters().Add("day", TradeRows.Day).Add("ingest", ingest), Ct);

    private async Task<string> ColdAsync(ColdTable table) => await fixture.ClickHouse.QueryRawTextAsync(
        $"SELECT * FROM icebergLocal('{Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(_warehouse.Root, table.Namespace, table.Name))}') ORDER BY ALL", Ct);

    private async Task<string> HotAsync(ColdTable table) => await fixture.ClickHouse.QueryRawTextAsync(
        $"SELECT {table.SelectList} FROM {_hot.Database}.{table.HotTable} {(table.HotFilter is { } f ? $"WHERE {f}" : "")} ORDER BY ALL", Ct);

    [Fact]
    public async Task Cold_tables_read_by_chDB_hold_exactly_the_hot_rows_with_field_ids_in_every_footer()
    {
        await InsertSilverAsync(0, 20_000, MinutesAgo(10));
        await InsertBronzeAsync(MinutesAgo(10));
        await InsertCandlesAsync(MinutesAgo(10), version: 1);
        var offloader = Offloader();

        var results = new List<OffloadResult>();
        foreach (var table in new[] { Silver, Bronze, Gold })
        {
            results.Add(await offloader.OffloadAsync(table, Ct));
        }

        results.Select(r => r.Rows).ShouldBe([20_000L, 500L, 100L]);
        results[0].Files.ShouldBe(2, "a file per day of exchange time");
        foreach (var table in new[] { Silver, Bronze, Gold })
        {
            var cold = await ColdAsync(table);
            cold.ShouldBe(await HotAsync(table), $"{table.Name}: cold against hot");
        }

        foreach (var file in Directory.EnumerateFiles(_warehouse.Root, "*.parquet", SearchOption.AllDirectories))
        {
            var footer = ParquetFooter.Read(File.ReadAllBytes(file));
            var table = ColdTables.All.Single(t => file.Contains($"{Path.DirectorySeparatorChar}{t.Name}{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
            var ids = table.ParquetFieldIds;
            footer.Schema.Skip(1).Where(e => e.Name != "list").ShouldAllBe(e => e.FieldId == ids[string.Join('.', e.Path)], file);
        }
    }

    [Fact]
    public async Task Late_rows_reach_the_cold_tier_in_the_next_cycle_and_an_empty_slice_commits_nothing()
    {
        await InsertSilverAsync(0, 1_000, MinutesAgo(10));
        await InsertCandlesAsync(MinutesAgo(10), version: 1);
        var offloader = Offloader();
        var first = await offloader.OffloadAsync(Silver, Ct);
        await offloader.OffloadAsync(Gold, Ct);

        var idle = await offloader.OffloadAsync(Silver, Ct);
        idle.SnapshotId.ShouldBeNull("nothing new: no snapshot");

        // Backfilled trades (older exchange times) and corrected candles, landing after the first offload.
        await InsertSilverAsync(1_000, 300, MinutesAgo(0));
        await InsertCandlesAsync(MinutesAgo(0), version: 2);
        var second = await offloader.OffloadAsync(Silver, Ct);
        await offloader.OffloadAsync(Gold, Ct);

        second.Rows.ShouldBe(300);
        second.Watermark.ShouldBeGreaterThan(first.Watermark);
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
        (await ColdAsync(Gold)).ShouldBe(await HotAsync(Gold));
        (await new OffloadStateStore(_catalogDatabase.DataSource).LoadWatermarkAsync(Silver.Name, Ct))!.IngestTime.ShouldBe(second.Watermark);
    }

    [Theory]
    [InlineData(OffloadStep.DataFilesWritten)]
    [InlineData(OffloadStep.ManifestsWritten)]
    [InlineData(OffloadStep.BeforeCommit)]
    [InlineData(OffloadStep.AfterCommit)]
    public async Task An_offload_killed_at_any_step_and_run_again_leaves_cold_equal_to_hot(OffloadStep step)
    {
        await InsertSilverAsync(0, 2_000, MinutesAgo(10));
        await Offloader().OffloadAsync(Silver, Ct);
        await InsertSilverAsync(2_000, 700, MinutesAgo(0));
        var crashing = Offloader();
        crashing.StepReached = (reached, _) =>
        {
            if (reached == step)
            {
                throw new SimulatedCrashException();
            }
        };

        await Should.ThrowAsync<SimulatedCrashException>(() => crashing.OffloadAsync(Silver, Ct));
        var rerun = await Offloader().OffloadAsync(Silver, Ct);

        // Once the metadata file is written the slice is as good as committed: the rerun completes that commit first.
        rerun.Rows.ShouldBe(step is OffloadStep.BeforeCommit or OffloadStep.AfterCommit ? 0 : 700);
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
    }

    [Fact]
    public async Task Two_concurrent_offloads_of_one_table_never_both_commit_the_slice()
    {
        await InsertSilverAsync(0, 5_000, MinutesAgo(10));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            try
            {
                return (await Offloader().OffloadAsync(Silver, Ct)).Rows;
            }
            catch (OffloadConflictException)
            {
                return -1;
            }
        }));

        outcomes.Count(rows => rows == 5_000).ShouldBeLessThanOrEqualTo(1);
        await Offloader().OffloadAsync(Silver, Ct); // whichever lost, the next run catches up
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
    }

    private sealed class SimulatedCrashException : Exception;

    private sealed class SqliteDataSourceHolder(string path) : IDisposable
    {
        public System.Data.Common.DbDataSource DataSource { get; } = SqliteFactory.Instance.CreateDataSource(
            new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());

        public void Dispose() => DataSource.Dispose();
    }
}
