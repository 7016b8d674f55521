using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Maintenance;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.ObjectStores;
using K2.Storage.Tests.Support;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Iceberg.Maintenance;

/// <summary>
/// Maintenance of tables offloaded into a real s3rver, read back with chDB's <c>icebergS3</c>. s3rver ignores
/// <c>If-None-Match</c>, so commits name their metadata files per attempt and meet only in the catalog's swap.
/// The clock runs days ahead of the objects' real modification times, so every object counts as old.
/// </summary>
public sealed class S3ColdTableMaintenanceTests(EmbeddedClickHouseFixture fixture, S3rverFixture s3rver) : IAsyncLifetime, IClassFixture<S3rverFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ColdTable Silver = ColdTables.SilverTrades;
    private static readonly ColdTable Gold = ColdTables.GoldOhlcv(Timeframe.OneMinute);

    private readonly TempDirectory _root = new("k2-maint-s3");
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly TestMeterFactory _meters = new();
    private SqliteDatabaseFile _database = null!;
    private HotStoreOptions _hot = null!;
    private S3ObjectStore _warehouse = null!;
    private OffloadStateStore _state = null!;
    private TableMetadataCommitter _committer = null!;

    public async ValueTask InitializeAsync()
    {
        _hot = await fixture.CreateDatabaseAsync(Ct);
        _warehouse = new S3ObjectStore(s3rver.Options($"maint-{Guid.NewGuid():N}"), enforcesCreateOnly: false);
        _database = new SqliteDatabaseFile(Path.Combine(_root.Path, "state.db"));
        var catalog = new SqlCatalog(_database.DataSource, "k2");
        await catalog.CreateTablesAsync(Ct);
        await catalog.CreateNamespaceAsync(ColdTables.Namespace, Ct);
        _state = new OffloadStateStore(_database.DataSource);
        _committer = new TableMetadataCommitter(_warehouse, catalog, NullLogger<TableMetadataCommitter>.Instance);
    }

    public ValueTask DisposeAsync()
    {
        _warehouse.Dispose();
        _meters.Dispose();
        _database.Dispose();
        _root.Dispose();
        return ValueTask.CompletedTask;
    }

    private TableOffloader Offloader() => new(
        fixture.ClickHouse, _hot, _warehouse, _committer, _state, new OffloadOptions { SafetyLag = TimeSpan.Zero }, _clock,
        NullLogger<TableOffloader>.Instance);

    private ColdTableMaintenance Maintenance()
    {
        var options = new MaintenanceOptions();
        var metrics = new MaintenanceMetrics(_meters);
        return new ColdTableMaintenance(
            new SmallFileCompaction(fixture.ClickHouse, _warehouse, _committer, options, _clock, metrics),
            new SnapshotExpiration(_committer, options, _clock),
            new OrphanFileRemoval(_warehouse, _committer, options, _clock, metrics),
            new HotColdAudit(fixture.ClickHouse, _hot, _warehouse, _committer, options, _clock),
            _state, metrics, _clock, NullLogger<ColdTableMaintenance>.Instance);
    }

    /// <summary>Trades over two day partitions, landed a minute after the clock's now; then another minute passes.</summary>
    private async Task InsertSilverAsync(int first, int count)
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.ClickHouse.ExecuteAsync($$"""
            INSERT INTO {{_hot.Database}}.silver_trades
            SELECT 'binance', 'BTC-USDT', 'BTCUSDT', toString(number), toDecimal64(87000, 8) + toDecimal64(number, 8) / 100000000,
                   toDecimal64(number % 97 + 1, 8) / 1000, if(number % 2 = 0, 'buy', 'sell'),
                   {day:DateTime64(6, 'UTC')} - toIntervalHour(number % 2) + toIntervalMicrosecond(number * 1003),
                   {day:DateTime64(6, 'UTC')} - toIntervalHour(number % 2) + toIntervalMicrosecond(number * 1003 + 250),
                   {ingest:DateTime64(6, 'UTC')}
            FROM numbers({{first}}, {{count}})
            """, new ClickHouseParameters().Add("day", TradeRows.Day).Add("ingest", UnixMicros.Now(_clock)), Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
    }

    /// <summary>100 one-minute candles at <paramref name="version"/>, the first <paramref name="count"/> of them.</summary>
    private async Task InsertCandlesAsync(int version, int count = 100)
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.ClickHouse.ExecuteAsync($$"""
            INSERT INTO {{_hot.Database}}.ohlcv
            SELECT 'binance', 'BTC-USDT', '1m', {day:DateTime64(6, 'UTC')} + toIntervalMinute(number), toDecimal64(1, 8), toDecimal64(2, 8),
                   toDecimal64(0.5, 8), toDecimal64({{version}}, 8), toDecimal128(10, 8), toDecimal128(15, 16), toDecimal128(5, 8), toDecimal128(5, 8),
                   number + 1, toDecimal128(1.5, 16), {{version}}, {ingest:DateTime64(6, 'UTC')}
            FROM numbers({{count}})
            """, new ClickHouseParameters().Add("day", TradeRows.Day).Add("ingest", UnixMicros.Now(_clock)), Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
    }

    private Task<string> ColdAsync(ColdTable table) => fixture.ClickHouse.QueryRawTextAsync(
        $"SELECT * FROM icebergS3('{_warehouse.LocationOf($"{table.Namespace}/{table.Name}")}', '{S3rverFixture.AccessKey}', '{S3rverFixture.SecretKey}') ORDER BY ALL", Ct);

    private Task<string> HotLatestAsync(ColdTable table) => fixture.ClickHouse.QueryRawTextAsync(
        $"SELECT {table.SelectList} FROM {_hot.Database}.{table.HotTable} FINAL {(table.HotFilter is { } f ? $"WHERE {f}" : "")} ORDER BY ALL", Ct);

    [Fact]
    public async Task Every_task_runs_on_S3_and_afterwards_icebergS3_reads_one_row_per_key_equal_to_the_hot_tables_latest()
    {
        for (var i = 0; i < 3; i++)
        {
            await InsertSilverAsync(i * 1_000, 1_000);
            await Offloader().OffloadAsync(Silver, Ct);
        }

        await InsertCandlesAsync(version: 1);
        await Offloader().OffloadAsync(Gold, Ct);
        await InsertCandlesAsync(version: 2, count: 40); // 40 candles corrected after they were offloaded
        await Offloader().OffloadAsync(Gold, Ct);
        await _warehouse.PutAsync("cold/silver_trades/data/stray/left-by-a-crash.parquet", new byte[] { 1, 2, 3 }, Ct);
        var audit = await Maintenance().RunAsync([Silver, Gold], [MaintenanceTask.Audit], Ct);
        _clock.Advance(TimeSpan.FromDays(8)); // every snapshot but the current ones expires; every object is past the grace period

        var run = await Maintenance().RunAsync([Silver, Gold], [], Ct);

        audit.Outcomes.Select(o => o.Detail).ShouldBe(["hot 3000 rows, cold 3000 rows", "hot 100 rows, cold 100 rows"]);
        run.Outcomes.Select(o => $"{o.Table} {ColdTableMaintenance.TaskName(o.Task)} {o.Outcome} {o.Detail}").ShouldBe(
        [
            "silver_trades compact ok 6 small files compacted into 2",
            "silver_trades expire ok 3 snapshots expired",
            "silver_trades orphans ok 13 files removed", // 6 compacted data files, 3 manifests and 3 lists of expired snapshots, the stray file
            "silver_trades audit ok hot 0 rows, cold 0 rows",
            "gold_ohlcv_1m compact ok 2 small files compacted into 1",
            "gold_ohlcv_1m expire ok 2 snapshots expired",
            "gold_ohlcv_1m orphans ok 6 files removed", // 2 compacted data files, 2 manifests and 2 lists
            "gold_ohlcv_1m audit ok hot 0 rows, cold 0 rows",
        ]);
        (await ColdAsync(Silver)).ShouldBe(await HotLatestAsync(Silver));
        (await ColdAsync(Gold)).ShouldBe(await HotLatestAsync(Gold));
        var gold = await _committer.LoadCurrentAsync(Gold, Ct);
        gold.Metadata.CurrentSnapshot!.Summary["operation"].ShouldBe("overwrite", "the 40 superseded candles went");
        gold.Metadata.CurrentSnapshot.Summary["total-records"].ShouldBe("100");
        (await _warehouse.HeadAsync("cold/silver_trades/data/stray/left-by-a-crash.parquet", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_maintenance_commit_that_loses_to_an_offload_is_rebuilt_on_it_and_leaves_one_metadata_file_per_version()
    {
        await InsertSilverAsync(0, 1_000);
        await Offloader().OffloadAsync(Silver, Ct);
        await InsertSilverAsync(1_000, 500);
        var builds = new List<int>();

        var committed = await _committer.CommitAsync(Silver, async (current, ct) =>
        {
            builds.Add(current.Version);
            if (builds.Count == 1)
            {
                await Offloader().OffloadAsync(Silver, ct); // commits while this change is being built
            }

            return current.Metadata with { Properties = new Dictionary<string, string>(current.Metadata.Properties) { ["k2.test"] = "kept" } };
        }, Ct);

        builds.ShouldBe([2, 3], "built on v2, lost to the offload's v3, rebuilt on it");
        committed!.Version.ShouldBe(4);
        committed.Metadata.Properties["k2.test"].ShouldBe("kept");
        committed.Metadata.Snapshots.Count.ShouldBe(2, "the offload's snapshot is in the rebuilt change");
        var metadataFiles = new List<string>();
        await foreach (var file in _warehouse.ListAsync("cold/silver_trades/metadata/", Ct))
        {
            if (file.Key.EndsWith(".metadata.json", StringComparison.Ordinal))
            {
                metadataFiles.Add(file.Key);
            }
        }

        metadataFiles.Select(k => MetadataFileNames.VersionOf(k)!.Value).Order().ToList().ShouldBe(new List<int> { 1, 2, 3, 4 }, "the losing attempt removed its own file");
        (await ColdAsync(Silver)).ShouldBe(await HotLatestAsync(Silver));
    }
}
