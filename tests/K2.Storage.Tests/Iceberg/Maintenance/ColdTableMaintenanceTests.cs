using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Maintenance;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.Iceberg.Parquet;
using K2.Storage.ObjectStores;
using K2.Storage.Tests.Support;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Iceberg.Maintenance;

/// <summary>
/// Maintenance of tables built by real offloads from the real hot store into a local warehouse with a SQLite catalog,
/// read back by chDB's own Iceberg reader. One clock, which the test moves, ages snapshots and files.
/// </summary>
public sealed class ColdTableMaintenanceTests(EmbeddedClickHouseFixture fixture) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ColdTable Silver = ColdTables.SilverTrades;
    private static readonly ColdTable Gold = ColdTables.GoldOhlcv(Timeframe.OneMinute);

    private readonly TempDirectory _root = TempDirectory.BelowWorkingDirectory("k2-maint");
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly TestMeterFactory _meters = new();
    private readonly MaintenanceOptions _options = new();
    private SqliteDatabaseFile _catalogDatabase = null!;
    private HotStoreOptions _hot = null!;
    private LocalDirectoryObjectStore _warehouse = null!;
    private SqlCatalog _catalog = null!;
    private OffloadStateStore _state = null!;
    private TableMetadataCommitter _committer = null!;
    private MaintenanceMetrics _metrics = null!;

    public async ValueTask InitializeAsync()
    {
        _hot = await fixture.CreateDatabaseAsync(Ct);
        _warehouse = new LocalDirectoryObjectStore(Path.Combine(_root.Path, "warehouse"));
        _catalogDatabase = new SqliteDatabaseFile(Path.Combine(_root.Path, "state.db"));
        _catalog = new SqlCatalog(_catalogDatabase.DataSource, "k2");
        _state = new OffloadStateStore(_catalogDatabase.DataSource);
        await _catalog.CreateTablesAsync(Ct);
        await _catalog.CreateNamespaceAsync(ColdTables.Namespace, Ct);
        _committer = new TableMetadataCommitter(_warehouse, _catalog, NullLogger<TableMetadataCommitter>.Instance);
        _metrics = new MaintenanceMetrics(_meters);
    }

    public ValueTask DisposeAsync()
    {
        _meters.Dispose();
        _catalogDatabase.Dispose();
        _root.Dispose();
        return ValueTask.CompletedTask;
    }

    private TableOffloader Offloader() => new(
        fixture.ClickHouse, _hot, _warehouse, _committer, _state, new OffloadOptions { SafetyLag = TimeSpan.Zero }, _clock,
        NullLogger<TableOffloader>.Instance);

    private ColdTableMaintenance Maintenance() => new(
        new SmallFileCompaction(fixture.ClickHouse, _warehouse, _committer, _options, _clock, _metrics),
        new SnapshotExpiration(_committer, _options, _clock),
        new OrphanFileRemoval(_warehouse, _committer, _options, _clock, _metrics),
        new HotColdAudit(fixture.ClickHouse, _hot, _warehouse, _committer, _options, _clock),
        _state, _metrics, _clock, NullLogger<ColdTableMaintenance>.Instance);

    /// <summary>
    /// Trades over two days of exchange time (two partitions: even numbers after midnight, odd ones before), landed a
    /// minute after the clock's now (so after any watermark so far); then another minute passes.
    /// </summary>
    private async Task InsertSilverAsync(int first, int count)
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.ClickHouse.ExecuteAsync($$"""
            INSERT INTO {{_hot.Database}}.silver_trades
            SELECT 'binance', if(number % 3 = 0, 'ETH-USDT', 'BTC-USDT'), if(number % 3 = 0, 'ETHUSDT', 'BTCUSDT'), toString(number),
                   toDecimal64(87000, 8) + toDecimal64(number, 8) / 100000000, toDecimal64(number % 97 + 1, 8) / 1000,
                   if(number % 2 = 0, 'buy', 'sell'),
                   {day:DateTime64(6, 'UTC')} - toIntervalHour(number % 2) + toIntervalMicrosecond(number * 1003),
                   {day:DateTime64(6, 'UTC')} - toIntervalHour(number % 2) + toIntervalMicrosecond(number * 1003 + 250),
                   {ingest:DateTime64(6, 'UTC')}
            FROM numbers({{first}}, {{count}})
            """, new ClickHouseParameters().Add("day", TradeRows.Day).Add("ingest", UnixMicros.Now(_clock)), Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
    }

    private async Task InsertCandlesAsync(int version)
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.ClickHouse.ExecuteAsync($$"""
            INSERT INTO {{_hot.Database}}.ohlcv
            SELECT 'binance', 'BTC-USDT', tf, {day:DateTime64(6, 'UTC')} + toIntervalMinute(number), toDecimal64(1, 8), toDecimal64(2, 8),
                   toDecimal64(0.5, 8), toDecimal64(1.5, 8), toDecimal128(12345678901234567890.12345678, 8), toDecimal128(1.1234567890123456, 16),
                   toDecimal128(1, 8), toDecimal128(2, 8), number + 1, toDecimal128(1.0000000000000001, 16), {{version}}, {ingest:DateTime64(6, 'UTC')}
            FROM numbers(100) ARRAY JOIN ['1m', '5m'] AS tf
            """, new ClickHouseParameters().Add("day", TradeRows.Day).Add("ingest", UnixMicros.Now(_clock)), Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
    }

    /// <summary>Three offloads of silver, each two new files (one per day partition), <paramref name="between"/> apart.</summary>
    private async Task OffloadSilverThriceAsync(TimeSpan between)
    {
        for (var i = 0; i < 3; i++)
        {
            if (i > 0)
            {
                _clock.Advance(between);
            }

            await InsertSilverAsync(i * 1_000, 1_000);
            await Offloader().OffloadAsync(Silver, Ct);
        }
    }

    private async Task<string> ColdAsync(ColdTable table) => await fixture.ClickHouse.QueryRawTextAsync(
        $"SELECT * FROM icebergLocal('{_root.RelativePath("warehouse", table.Namespace, table.Name)}') ORDER BY ALL", Ct);

    private async Task<string> HotAsync(ColdTable table) => await fixture.ClickHouse.QueryRawTextAsync(
        $"SELECT {table.SelectList} FROM {_hot.Database}.{table.HotTable} {(table.HotFilter is { } f ? $"WHERE {f}" : "")} ORDER BY ALL", Ct);

    private async Task<IReadOnlyList<LiveDataFile>> LiveFilesAsync(ColdTable table)
    {
        var current = await _committer.LoadCurrentAsync(table, Ct);
        return (await LiveDataFile.ReadAsync(_committer.KeysOf(table), current.Metadata.CurrentSnapshot!, Ct)).Files;
    }

    private List<string> TableFiles(ColdTable table) =>
        [.. Directory.EnumerateFiles(Path.Combine(_warehouse.Root, table.Namespace, table.Name), "*", SearchOption.AllDirectories)];

    [Fact]
    public async Task Expiry_removes_snapshots_older_than_the_retention_and_keeps_the_current_one_with_its_rows()
    {
        await OffloadSilverThriceAsync(TimeSpan.FromDays(4));
        var before = await _committer.LoadCurrentAsync(Silver, Ct);
        var cold = await ColdAsync(Silver);

        // Now the first snapshot is 8 days old, the second 4: only the first goes.
        var first = await Maintenance().RunAsync([Silver], [MaintenanceTask.Expire], Ct);
        var afterFirst = await _committer.LoadCurrentAsync(Silver, Ct);
        _clock.Advance(TimeSpan.FromDays(30));
        var second = await Maintenance().RunAsync([Silver], [MaintenanceTask.Expire], Ct);
        var afterSecond = await _committer.LoadCurrentAsync(Silver, Ct);

        first.Outcomes.Single().Detail.ShouldBe("1 snapshots expired");
        afterFirst.Metadata.Snapshots.Count.ShouldBe(2);
        afterFirst.Version.ShouldBe(before.Version + 1);
        second.Outcomes.Single().Detail.ShouldBe("1 snapshots expired", "the current snapshot stays, however old");
        afterSecond.Metadata.Snapshots.Select(s => s.SnapshotId).ShouldBe([before.Metadata.CurrentSnapshotId!.Value]);
        afterSecond.Metadata.CurrentSnapshotId.ShouldBe(before.Metadata.CurrentSnapshotId);
        (await ColdAsync(Silver)).ShouldBe(cold);
        cold.ShouldBe(await HotAsync(Silver));
        (await _state.RecentAuditsAsync(Silver.Name, 10, Ct)).Select(a => (a.Task, a.Outcome)).ShouldBe([("expire", "ok"), ("expire", "ok")]);
    }

    [Fact]
    public async Task Orphan_removal_deletes_old_unreferenced_files_and_keeps_fresh_ones_referenced_ones_and_a_crashed_offloads_commit()
    {
        await OffloadSilverThriceAsync(TimeSpan.FromDays(4));
        var expiredList = (await _committer.LoadCurrentAsync(Silver, Ct)).Metadata.Snapshots[0].ManifestList;
        await Maintenance().RunAsync([Silver], [MaintenanceTask.Expire], Ct); // the first snapshot's manifest list is now unreferenced
        var metadataFolder = Path.Combine(_warehouse.Root, "cold", "silver_trades", "metadata");
        var listsBefore = Directory.GetFiles(metadataFolder, "snap-*.avro").Length;

        // A crashed offload: data, manifests and metadata file v<N+1> written, never committed.
        await InsertSilverAsync(10_000, 500);
        var crashing = Offloader();
        crashing.StepReached = (step, _) =>
        {
            if (step == OffloadStep.BeforeCommit)
            {
                throw new SimulatedCrashException();
            }
        };
        await Should.ThrowAsync<SimulatedCrashException>(() => crashing.OffloadAsync(Silver, Ct));

        var partition = Path.Combine(_warehouse.Root, "cold", "silver_trades", "data", "stray");
        Directory.CreateDirectory(partition);
        var old = Path.Combine(partition, "old.parquet");
        var fresh = Path.Combine(partition, "fresh.parquet");
        await File.WriteAllBytesAsync(old, [1, 2, 3], Ct);
        await File.WriteAllBytesAsync(fresh, [1, 2, 3], Ct);
        _clock.Advance(TimeSpan.FromDays(3)); // every file the offloads wrote is now days old by the clock
        File.SetLastWriteTimeUtc(fresh, _clock.GetUtcNow().UtcDateTime.AddHours(-1));
        File.SetLastWriteTimeUtc(old, _clock.GetUtcNow().UtcDateTime.AddDays(-2));
        var everyFile = TableFiles(Silver);

        var run = await Maintenance().RunAsync([Silver], [MaintenanceTask.Orphans], Ct);

        run.Outcomes.Single().Detail.ShouldBe("2 files removed", "the stray old file and the expired snapshot's manifest list");
        File.Exists(old).ShouldBeFalse();
        File.Exists(fresh).ShouldBeTrue();
        File.Exists(expiredList).ShouldBeFalse();
        Directory.GetFiles(metadataFolder, "snap-*.avro").Length.ShouldBe(listsBefore, "one list expired, one written by the crashed offload");
        TableFiles(Silver).Order().ShouldBe(everyFile.Except([old, expiredList]).Order());
        _meters.Sum("k2.maintenance.files.removed").ShouldBe(2);

        // The crashed offload's commit survived: the next offload completes it and cold equals hot.
        File.Delete(fresh);
        var next = await Offloader().OffloadAsync(Silver, Ct);
        next.Rows.ShouldBe(0);
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
    }

    [Fact]
    public async Task Compaction_merges_the_small_files_of_each_partition_keeps_the_rows_and_the_watermark_and_later_offloads_continue()
    {
        await OffloadSilverThriceAsync(TimeSpan.FromMinutes(5));
        var before = await _committer.LoadCurrentAsync(Silver, Ct);
        (await LiveFilesAsync(Silver)).Count.ShouldBe(6);
        var cold = await ColdAsync(Silver);

        var run = await Maintenance().RunAsync([Silver], [MaintenanceTask.Compact], Ct);

        run.Outcomes.Single().Detail.ShouldBe("6 small files compacted into 2");
        var after = await _committer.LoadCurrentAsync(Silver, Ct);
        var live = await LiveFilesAsync(Silver);
        live.Count.ShouldBe(2);
        live.Select(f => f.Entry.DataFile.PartitionDay).Distinct().Count().ShouldBe(2, "one file per day partition");
        after.Metadata.CurrentSnapshot!.Summary["operation"].ShouldBe("replace");
        TableOffloader.Watermark(after.Metadata).ShouldBe(TableOffloader.Watermark(before.Metadata));
        (await ColdAsync(Silver)).ShouldBe(cold);
        foreach (var file in live)
        {
            var footer = ParquetFooter.Read(await File.ReadAllBytesAsync(file.Entry.DataFile.FilePath, Ct));
            footer.Schema.Skip(1).ShouldAllBe(e => e.FieldId == Silver.ParquetFieldIds[string.Join('.', e.Path)]);
        }

        _meters.Sum("k2.maintenance.files.compacted").ShouldBe(6);

        // Rows offloaded after the compaction are exactly the new ones.
        await InsertSilverAsync(5_000, 400);
        (await Offloader().OffloadAsync(Silver, Ct)).Rows.ShouldBe(400);
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
        var again = await Maintenance().RunAsync([Silver], [MaintenanceTask.Compact, MaintenanceTask.Audit], Ct);
        again.Outcomes.Select(o => o.Detail).ShouldBe(["4 small files compacted into 2", "hot 3400 rows, cold 3400 rows"]);
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
    }

    [Fact]
    public async Task Corrected_candles_merged_away_in_the_hot_table_still_audit_as_matching_keys()
    {
        await InsertCandlesAsync(version: 1);
        await Offloader().OffloadAsync(Gold, Ct);
        await InsertCandlesAsync(version: 2); // every candle corrected after the first offload
        await Offloader().OffloadAsync(Gold, Ct);
        await fixture.ClickHouse.ExecuteAsync($"OPTIMIZE TABLE {_hot.Database}.ohlcv FINAL", null, Ct); // version 1 rows merged away

        var audit = await Maintenance().RunAsync([Gold], [MaintenanceTask.Audit], Ct);

        audit.Outcomes.Single().Detail.ShouldBe("hot 100 rows, cold 100 rows", "100 candles; the cold table keeps both versions of each (200 rows)");
        audit.Succeeded.ShouldBeTrue();
    }

    [Fact]
    public async Task The_audit_records_matching_counts_and_a_hot_row_lost_or_added_behind_the_watermark_fails_the_run()
    {
        await InsertSilverAsync(0, 2_000);
        await InsertCandlesAsync(version: 1);
        await Offloader().OffloadAsync(Silver, Ct);
        await Offloader().OffloadAsync(Gold, Ct);
        await InsertSilverAsync(2_000, 100); // after the watermark: not offloaded yet, so not audited

        var matching = await Maintenance().RunAsync([Silver, Gold], [MaintenanceTask.Audit], Ct);

        matching.Succeeded.ShouldBeTrue();
        matching.Outcomes.Select(o => o.Detail).ShouldBe(["hot 2000 rows, cold 2000 rows", "hot 100 rows, cold 100 rows"]);
        var recorded = (await _state.RecentAuditsAsync(Silver.Name, 1, Ct)).Single();
        (recorded.Task, recorded.HotCount, recorded.ColdCount, recorded.Outcome).ShouldBe(("audit", 2_000L, 2_000L, "ok"));

        var watermark = TableOffloader.Watermark((await _committer.LoadCurrentAsync(Silver, Ct)).Metadata);
        await fixture.ClickHouse.ExecuteAsync(
            $"ALTER TABLE {_hot.Database}.silver_trades DELETE WHERE trade_id = '7' SETTINGS mutations_sync = 2", null, Ct);
        var lost = await Maintenance().RunAsync([Silver], [MaintenanceTask.Audit], Ct);
        await fixture.ClickHouse.ExecuteAsync(
            $"INSERT INTO {_hot.Database}.silver_trades SELECT * REPLACE (concat('late-', trade_id) AS trade_id, {{ingest:DateTime64(6, 'UTC')}} AS ingest_ts) " +
            $"FROM {_hot.Database}.silver_trades LIMIT 2",
            new ClickHouseParameters().Add("ingest", new UnixMicros(watermark.Value - 1)), Ct);
        var added = await Maintenance().RunAsync([Silver], [MaintenanceTask.Audit], Ct);

        lost.Succeeded.ShouldBeFalse();
        lost.Outcomes.Single().Detail.ShouldBe("hot 1999 rows, cold 2000 rows");
        added.Succeeded.ShouldBeFalse();
        added.Outcomes.Single().Detail.ShouldBe("hot 2001 rows, cold 2000 rows");
        (await _state.RecentAuditsAsync(Silver.Name, 1, Ct)).Single().Outcome.ShouldBe("mismatch");
        _meters.Sum("k2.maintenance.audit.mismatches").ShouldBe(2);
    }

    [Fact]
    public async Task A_table_that_fails_is_recorded_as_failed_and_the_other_tables_still_run()
    {
        await InsertSilverAsync(0, 300);
        await Offloader().OffloadAsync(Silver, Ct);
        var never = ColdTables.BronzeTrades(Exchange.Coinbase); // never offloaded: not in the catalog

        var run = await Maintenance().RunAsync([never, Silver], [], Ct);

        run.Succeeded.ShouldBeFalse();
        run.Outcomes.Where(o => o.Table == never.Name).Select(o => o.Outcome).ShouldBe(["failed", "failed", "ok", "failed"],
            "with no files there are no orphans; everything else needs the table's metadata");
        run.Outcomes.Single(o => o.Table == never.Name && o.Task == MaintenanceTask.Audit).Detail.ShouldContain("not in the catalog");
        run.Outcomes.Where(o => o.Table == Silver.Name).Select(o => o.Outcome).ShouldBe(["ok", "ok", "ok", "ok"]);
        _meters.Sum("k2.maintenance.task.failures").ShouldBe(3);
        (await _state.RecentAuditsAsync(never.Name, 10, Ct)).Count.ShouldBe(4);
    }

    private sealed class SimulatedCrashException : Exception;
}
