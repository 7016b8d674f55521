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
/// Maintenance of tables built by real offloads from the real hot store into a warehouse with a SQLite catalog, read
/// back by chDB's own Iceberg reader; one suite on each object store. One clock, which the test moves, ages snapshots;
/// objects are aged by setting the modification time the store reports.
/// </summary>
public abstract class ColdTableMaintenanceTests(EmbeddedClickHouseFixture fixture) : IAsyncLifetime
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
    private IObjectStore _warehouse = null!;
    private SqlCatalog _catalog = null!;
    private OffloadStateStore _state = null!;
    private TableMetadataCommitter _committer = null!;
    private MaintenanceMetrics _metrics = null!;

    /// <summary>An empty warehouse private to the running test; <paramref name="directory"/> is free for a local one.</summary>
    protected abstract IObjectStore CreateWarehouse(string directory);

    /// <summary>The ClickHouse table function by which chDB reads <paramref name="table"/> from the warehouse.</summary>
    protected abstract string IcebergTableFunction(IObjectStore warehouse, ColdTable table);

    /// <summary>Makes the store report <paramref name="time"/> as the last modification of the object at <paramref name="key"/>.</summary>
    protected abstract void SetLastModified(string key, DateTimeOffset time);

    public async ValueTask InitializeAsync()
    {
        _hot = await fixture.CreateDatabaseAsync(Ct);
        _warehouse = CreateWarehouse(Path.Combine(_root.Path, "warehouse"));
        _catalogDatabase = new SqliteDatabaseFile(Path.Combine(_root.Path, "state.db"));
        _catalog = new SqlCatalog(_catalogDatabase.DataSource, "k2");
        _state = new OffloadStateStore(_catalogDatabase.DataSource);
        await _catalog.CreateTablesAsync(Ct);
        await _catalog.CreateNamespaceAsync(ColdTables.Namespace, Ct);
        _committer = new TableMetadataCommitter(_warehouse, _catalog, NullLogger<TableMetadataCommitter>.Instance);
        _metrics = new MaintenanceMetrics(_meters);
    }

    public virtual ValueTask DisposeAsync()
    {
        _meters.Dispose();
        _catalogDatabase.Dispose();
        _root.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private TableOffloader Offloader() => new(
        fixture.ClickHouse, _hot, _warehouse, _committer, _state, new OffloadOptions { SafetyLag = TimeSpan.Zero }, _clock,
        NullLogger<TableOffloader>.Instance);

    private SmallFileCompaction Compaction(IClickHouseClient clickHouse) => new(clickHouse, _warehouse, _committer, _options, _clock, _metrics);

    private ColdTableMaintenance Maintenance() => new(
        Compaction(fixture.ClickHouse),
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

    /// <summary>The first <paramref name="count"/> of 100 one-minute and five-minute candles, at <paramref name="version"/>.</summary>
    private async Task InsertCandlesAsync(int version, int count = 100)
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.ClickHouse.ExecuteAsync($$"""
            INSERT INTO {{_hot.Database}}.ohlcv
            SELECT 'binance', 'BTC-USDT', tf, {day:DateTime64(6, 'UTC')} + toIntervalMinute(number), toDecimal64(1, 8), toDecimal64(2, 8),
                   toDecimal64(0.5, 8), toDecimal64(1.5, 8), toDecimal128(12345678901234567890.12345678, 8), toDecimal128(1.1234567890123456, 16),
                   toDecimal128(1, 8), toDecimal128(2, 8), number + 1, toDecimal128(1.0000000000000001, 16), {{version}}, {ingest:DateTime64(6, 'UTC')}
            FROM numbers({{count}}) ARRAY JOIN ['1m', '5m'] AS tf
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
        $"SELECT * FROM {IcebergTableFunction(_warehouse, table)} ORDER BY ALL", Ct);

    private async Task<string> HotAsync(ColdTable table) => await fixture.ClickHouse.QueryRawTextAsync(
        $"SELECT {table.SelectList} FROM {_hot.Database}.{table.HotTable} {(table.HotFilter is { } f ? $"WHERE {f}" : "")} ORDER BY ALL", Ct);

    /// <summary>Each key's latest row in the hot table, which is what a cold table holds once compacted.</summary>
    private async Task<string> HotLatestAsync(ColdTable table) => await fixture.ClickHouse.QueryRawTextAsync(
        $"SELECT {table.SelectList} FROM {_hot.Database}.{table.HotTable} FINAL {(table.HotFilter is { } f ? $"WHERE {f}" : "")} ORDER BY ALL", Ct);

    private async Task<IReadOnlyList<LiveDataFile>> LiveFilesAsync(ColdTable table)
    {
        var current = await _committer.LoadCurrentAsync(table, Ct);
        return (await LiveDataFile.ReadAsync(_committer.KeysOf(table), current.Metadata.CurrentSnapshot!, Ct)).Files;
    }

    private async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var file in _warehouse.ListAsync(prefix, Ct))
        {
            keys.Add(file.Key);
        }

        return keys;
    }

    private Task<List<string>> TableFilesAsync(ColdTable table) => KeysAsync(_committer.KeysOf(table).Prefix);

    /// <summary>The version of each stored metadata file of <paramref name="table"/>, in order.</summary>
    private async Task<List<int>> MetadataVersionsAsync(ColdTable table) =>
        [.. (await KeysAsync(_committer.KeysOf(table).MetadataKey("")))
            .Where(k => k.EndsWith(".metadata.json", StringComparison.Ordinal))
            .Select(k => MetadataFileNames.VersionOf(k)!.Value)
            .Order()];

    /// <summary>
    /// The key of the metadata file <c>version-hint.text</c> names, resolved as PyIceberg's <c>StaticTable</c> does
    /// (chDB still reads the right rows through a hint that names a missing file, so it would not show a wrong one).
    /// </summary>
    private async Task<string> HintedKeyAsync(ColdTable table)
    {
        var keys = _committer.KeysOf(table);
        var hint = System.Text.Encoding.ASCII.GetString((await _warehouse.GetAsync(keys.VersionHintKey, Ct))!);
        return keys.MetadataKey($"{(hint.All(char.IsAsciiDigit) ? $"v{hint}" : hint)}.metadata.json");
    }

    /// <summary>The change another writer might make without a snapshot: a table property set.</summary>
    private TableMetadata WithProperty(CurrentMetadata current, string name, string value) => current.Metadata with
    {
        Properties = new Dictionary<string, string>(current.Metadata.Properties) { [name] = value },
        LastUpdatedMs = _clock.GetUtcNow().ToUnixTimeMilliseconds(),
        MetadataLog = [.. current.Metadata.MetadataLog, new MetadataLogEntry(current.Location, current.Metadata.LastUpdatedMs)],
    };

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
        (await HintedKeyAsync(Silver)).ShouldBe(_warehouse.KeyOf(afterSecond.Location));
        (await _state.RecentAuditsAsync(Silver.Name, 10, Ct)).Select(a => (a.Task, a.Outcome)).ShouldBe([("expire", "ok"), ("expire", "ok")]);
    }

    [Fact]
    public async Task Orphan_removal_deletes_old_unreferenced_files_and_keeps_fresh_ones_referenced_ones_and_a_crashed_offloads_commit()
    {
        await OffloadSilverThriceAsync(TimeSpan.FromDays(4));
        var expiredList = _warehouse.KeyOf((await _committer.LoadCurrentAsync(Silver, Ct)).Metadata.Snapshots[0].ManifestList)!;
        await Maintenance().RunAsync([Silver], [MaintenanceTask.Expire], Ct); // the first snapshot's manifest list is now unreferenced
        var metadataFolder = _committer.KeysOf(Silver).MetadataKey("");
        var listsBefore = (await KeysAsync($"{metadataFolder}snap-")).Count;

        // A crashed offload: data, manifests and its next metadata file written, never committed.
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

        const string old = "cold/silver_trades/data/stray/old.parquet";
        const string fresh = "cold/silver_trades/data/stray/fresh.parquet";
        await _warehouse.PutAsync(old, new byte[] { 1, 2, 3 }, Ct);
        await _warehouse.PutAsync(fresh, new byte[] { 1, 2, 3 }, Ct);
        _clock.Advance(TimeSpan.FromDays(3)); // every file the offloads wrote is now days old by the clock
        SetLastModified(fresh, _clock.GetUtcNow().AddHours(-1));
        SetLastModified(old, _clock.GetUtcNow().AddDays(-2));
        var everyFile = await TableFilesAsync(Silver);

        var run = await Maintenance().RunAsync([Silver], [MaintenanceTask.Orphans], Ct);

        run.Outcomes.Single().Detail.ShouldBe("2 files removed", "the stray old file and the expired snapshot's manifest list");
        (await _warehouse.HeadAsync(old, Ct)).ShouldBeNull();
        (await _warehouse.HeadAsync(fresh, Ct)).ShouldNotBeNull();
        (await _warehouse.HeadAsync(expiredList, Ct)).ShouldBeNull();
        (await KeysAsync($"{metadataFolder}snap-")).Count.ShouldBe(listsBefore, "one list expired, one written by the crashed offload");
        (await TableFilesAsync(Silver)).ShouldBe(everyFile.Except([old, expiredList]), ignoreOrder: true);
        _meters.Sum("k2.maintenance.files.removed").ShouldBe(2);

        // The crashed offload's commit survived: it is completed, nothing is offloaded twice, and cold equals hot.
        await _warehouse.DeleteAsync(fresh, Ct);
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
        (await HintedKeyAsync(Silver)).ShouldBe(_warehouse.KeyOf(after.Location));
        foreach (var file in live)
        {
            var footer = ParquetFooter.Read((await _warehouse.GetAsync(_warehouse.KeyOf(file.Entry.DataFile.FilePath)!, Ct))!);
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
    public async Task Every_task_in_one_run_leaves_chDB_reading_one_row_per_key_equal_to_the_hot_tables_latest()
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
        const string stray = "cold/silver_trades/data/stray/left-by-a-crash.parquet";
        await _warehouse.PutAsync(stray, new byte[] { 1, 2, 3 }, Ct);
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
        (await _warehouse.HeadAsync(stray, Ct)).ShouldBeNull();
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

            return WithProperty(current, "k2.test", "kept");
        }, Ct);

        builds.ShouldBe([2, 3], "built on version 2, lost to the offload's version 3, rebuilt on it");
        committed!.Version.ShouldBe(4);
        committed.Metadata.Properties["k2.test"].ShouldBe("kept");
        committed.Metadata.Snapshots.Count.ShouldBe(2, "the offload's snapshot is in the rebuilt change");
        (await MetadataVersionsAsync(Silver)).ShouldBe([1, 2, 3, 4], "the losing attempt left no file");
        (await HintedKeyAsync(Silver)).ShouldBe(_warehouse.KeyOf(committed.Location));
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
    }

    [Fact]
    public async Task A_compaction_an_offload_commits_in_the_middle_of_replaces_on_top_of_the_offload_and_keeps_its_rows()
    {
        await OffloadSilverThriceAsync(TimeSpan.FromMinutes(5));
        await InsertSilverAsync(5_000, 400);
        OffloadResult? offload = null;
        var compaction = Compaction(new AfterFirstQueryClickHouseClient(
            fixture.ClickHouse, async ct => offload = await Offloader().OffloadAsync(Silver, ct))); // after the first rewrite

        var result = await compaction.CompactAsync(Silver, Ct);

        result.ShouldBe(new CompactionResult(6, 2));
        offload!.Rows.ShouldBe(400);
        var current = await _committer.LoadCurrentAsync(Silver, Ct);
        current.Metadata.CurrentSnapshot!.Summary["operation"].ShouldBe("replace");
        current.Metadata.CurrentSnapshot.ParentSnapshotId.ShouldBe(offload.SnapshotId);
        TableOffloader.Watermark(current.Metadata).ShouldBe(offload.Watermark, "the watermark of the snapshot it replaced on");
        (await LiveFilesAsync(Silver)).Count.ShouldBe(4, "the two compacted files and the offload's two");
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
    }

    [Fact]
    public async Task A_maintenance_commit_that_loses_every_attempt_fails_with_a_conflict_and_leaves_no_file_of_its_own()
    {
        await InsertSilverAsync(0, 1_000);
        await Offloader().OffloadAsync(Silver, Ct);
        var builds = 0;

        var conflict = await Should.ThrowAsync<TableCommitConflictException>(() => _committer.CommitAsync(Silver, async (current, ct) =>
        {
            builds++;
            // Another writer commits while this change is being built, every time.
            await _committer.CommitAsync(Silver, (newer, _) => Task.FromResult<TableMetadata?>(WithProperty(newer, "k2.other", $"{builds}")), ct);
            return WithProperty(current, "k2.lost", "never");
        }, Ct));

        // Listed before loading again: a load would remove a stray file of the current version itself.
        (await MetadataVersionsAsync(Silver)).ShouldBe([.. Enumerable.Range(1, 2 + TableMetadataCommitter.Attempts)], "the losing change removed its files");
        conflict.Table.ShouldBe(Silver.Name);
        builds.ShouldBe(TableMetadataCommitter.Attempts);
        var current = await _committer.LoadCurrentAsync(Silver, Ct);
        current.Version.ShouldBe(2 + TableMetadataCommitter.Attempts);
        current.Metadata.Properties["k2.other"].ShouldBe($"{TableMetadataCommitter.Attempts}");
        current.Metadata.Properties.ContainsKey("k2.lost").ShouldBeFalse();
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
    public async Task Candles_rewritten_after_the_watermark_audit_as_matching_keys_until_the_next_offload_copies_them()
    {
        await InsertCandlesAsync(version: 1);
        await Offloader().OffloadAsync(Gold, Ct);
        await InsertCandlesAsync(version: 2, count: 30); // 30 forming candles rewritten after the offload, not offloaded yet

        var before = await Maintenance().RunAsync([Gold], [MaintenanceTask.Audit], Ct);
        await Offloader().OffloadAsync(Gold, Ct);
        var after = await Maintenance().RunAsync([Gold], [MaintenanceTask.Audit], Ct);

        before.Outcomes.Single().Detail.ShouldBe("hot 70 rows, cold 70 rows", "the 30 rewritten keys are past the watermark on the hot side, so left out of both");
        before.Succeeded.ShouldBeTrue();
        after.Outcomes.Single().Detail.ShouldBe("hot 100 rows, cold 100 rows");
        after.Succeeded.ShouldBeTrue();
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

/// <summary>
/// The suite on a local warehouse, read back with <c>icebergLocal</c>. The warehouse lies below the working directory,
/// the only place chDB's <c>icebergLocal</c> may read.
/// </summary>
public sealed class LocalColdTableMaintenanceTests(EmbeddedClickHouseFixture fixture) : ColdTableMaintenanceTests(fixture)
{
    private LocalDirectoryObjectStore? _store;

    protected override IObjectStore CreateWarehouse(string directory) => _store = new LocalDirectoryObjectStore(directory);

    protected override string IcebergTableFunction(IObjectStore warehouse, ColdTable table) =>
        $"icebergLocal('{Path.GetRelativePath(Environment.CurrentDirectory, warehouse.LocationOf($"{table.Namespace}/{table.Name}"))}')";

    protected override void SetLastModified(string key, DateTimeOffset time) => File.SetLastWriteTimeUtc(_store!.LocationOf(key), time.UtcDateTime);
}

/// <summary>
/// The suite on a real s3rver (one per class; each test has its own prefix in the bucket), read back with
/// <c>icebergS3</c>. s3rver ignores <c>If-None-Match</c>, so commits name their metadata files per attempt and meet only
/// in the catalog's compare-and-swap.
/// </summary>
public sealed class S3ColdTableMaintenanceTests(EmbeddedClickHouseFixture fixture, S3rverFixture s3rver)
    : ColdTableMaintenanceTests(fixture), IClassFixture<S3rverFixture>
{
    private readonly string _prefix = $"maint-{Guid.NewGuid():N}";
    private S3ObjectStore? _store;

    protected override IObjectStore CreateWarehouse(string directory) =>
        _store = new S3ObjectStore(s3rver.Options(_prefix), enforcesCreateOnly: false);

    protected override string IcebergTableFunction(IObjectStore warehouse, ColdTable table) =>
        $"icebergS3('{warehouse.LocationOf($"{table.Namespace}/{table.Name}")}', '{S3rverFixture.AccessKey}', '{S3rverFixture.SecretKey}')";

    protected override void SetLastModified(string key, DateTimeOffset time) => s3rver.SetLastModified($"{_prefix}/{key}", time);

    public override async ValueTask DisposeAsync()
    {
        _store?.Dispose();
        await base.DisposeAsync();
    }
}
