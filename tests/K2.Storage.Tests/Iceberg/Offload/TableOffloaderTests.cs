using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.Iceberg.Parquet;
using K2.Storage.ObjectStores;
using K2.Storage.Tests.Support;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Iceberg.Offload;

/// <summary>
/// Offloads from the real hot store into a warehouse with a SQLite catalog, read back by chDB's own Iceberg reader;
/// one suite on each object store.
/// </summary>
public abstract class TableOffloaderTests(EmbeddedClickHouseFixture fixture) : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static readonly ColdTable Silver = ColdTables.SilverTrades;
    private static readonly ColdTable Bronze = ColdTables.BronzeTrades(Exchange.Kraken);
    private static readonly ColdTable Gold = ColdTables.GoldOhlcv(Timeframe.OneMinute);

    private readonly TempDirectory _root = TempDirectory.BelowWorkingDirectory("k2-offload");
    private SqliteDatabaseFile _catalogDatabase = null!;
    private HotStoreOptions _hot = null!;
    private IObjectStore _warehouse = null!;
    private SqlCatalog _catalog = null!;

    /// <summary>An empty warehouse private to the running test; <paramref name="directory"/> is free for a local one.</summary>
    protected abstract IObjectStore CreateWarehouse(string directory);

    /// <summary>
    /// The ClickHouse table function by which chDB reads <paramref name="table"/> from the warehouse, with
    /// <paramref name="settings"/> (e.g. <c>, SETTINGS ...</c>) after the other arguments.
    /// </summary>
    protected abstract string IcebergTableFunction(IObjectStore warehouse, ColdTable table, string settings = "");

    protected IObjectStore Warehouse => _warehouse;

    protected SqlCatalog Catalog => _catalog;

    public async ValueTask InitializeAsync()
    {
        _hot = await fixture.CreateDatabaseAsync(Ct);
        _warehouse = CreateWarehouse(Path.Combine(_root.Path, "warehouse"));
        _catalogDatabase = new SqliteDatabaseFile(Path.Combine(_root.Path, "state.db"));
        _catalog = new SqlCatalog(_catalogDatabase.DataSource, "k2");
        await _catalog.CreateTablesAsync(Ct);
        await _catalog.CreateNamespaceAsync(ColdTables.Namespace, Ct);
    }

    public virtual ValueTask DisposeAsync()
    {
        _catalogDatabase.Dispose();
        _root.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected TableOffloader Offloader(long maxRowsPerCommit = 20_000_000) => new(
        fixture.ClickHouse, _hot, _warehouse, new TableMetadataCommitter(_warehouse, _catalog, NullLogger<TableMetadataCommitter>.Instance),
        new OffloadStateStore(_catalogDatabase.DataSource),
        new OffloadOptions { SafetyLag = TimeSpan.Zero, MaxRowsPerCommit = maxRowsPerCommit }, TimeProvider.System, NullLogger<TableOffloader>.Instance);

    protected static UnixMicros MinutesAgo(int minutes) => UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-minutes));

    /// <summary>Trades over two days (two partitions), every side and amount shape, landed at <paramref name="ingest"/>.</summary>
    protected Task InsertSilverAsync(int first, int count, UnixMicros ingest) => fixture.ClickHouse.ExecuteAsync($$"""
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

    protected async Task<string> ColdAsync(ColdTable table, string settings = "") => await fixture.ClickHouse.QueryRawTextAsync(
        $"SELECT * FROM {IcebergTableFunction(_warehouse, table, settings)} ORDER BY ALL", Ct);

    protected async Task<string> HotAsync(ColdTable table) => await fixture.ClickHouse.QueryRawTextAsync(
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

        var dataFiles = 0;
        await foreach (var file in _warehouse.ListAsync("", Ct))
        {
            if (!file.Key.EndsWith(".parquet", StringComparison.Ordinal))
            {
                continue;
            }

            var footer = ParquetFooter.Read((await _warehouse.GetAsync(file.Key, Ct))!);
            var table = ColdTables.All.Single(t => file.Key.StartsWith($"{t.Namespace}/{t.Name}/", StringComparison.Ordinal));
            var ids = table.ParquetFieldIds;
            footer.Schema.Skip(1).Where(e => e.Name != "list").ShouldAllBe(e => e.FieldId == ids[string.Join('.', e.Path)], file.Key);
            dataFiles++;
        }

        dataFiles.ShouldBe(results.Sum(r => r.Files));
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

    [Fact]
    public async Task A_backlog_goes_in_commits_of_about_the_row_limit_never_splitting_rows_landed_together()
    {
        var landed = Enumerable.Range(0, 4).Select(batch => MinutesAgo(40 - batch)).ToList();
        for (var batch = 0; batch < 4; batch++)
        {
            await InsertSilverAsync(batch * 900, 900, landed[batch]);
        }

        var result = await Offloader(maxRowsPerCommit: 1_000).OffloadAsync(Silver, Ct);

        result.Rows.ShouldBe(3_600);
        result.Files.ShouldBe(2, "two commits, each of one day's file");
        result.Watermark.ShouldBe(landed[^1], "the last commit ends at the last batch");
        var metadata = TableMetadataJson.Read((await _warehouse.GetAsync(
            _warehouse.KeyOf((await _catalog.LoadMetadataLocationAsync(new TableIdentifier(Silver.Namespace, Silver.Name), Ct))!)!, Ct))!);
        // The 1,000th row is in the second batch, so the first commit takes two batches whole, and so does the second.
        metadata.Snapshots.Select(s => long.Parse(s.Summary["added-records"], System.Globalization.CultureInfo.InvariantCulture)).ShouldBe([1_800L, 1_800L]);
        metadata.CurrentSnapshot!.SnapshotId.ShouldBe(result.SnapshotId!.Value);
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
    }

    [Fact]
    public async Task Of_a_key_written_several_times_within_one_slice_only_its_latest_row_goes()
    {
        // An open candle is rewritten every second; the hot table merges its versions only eventually.
        await fixture.ClickHouse.ExecuteAsync($"SYSTEM STOP MERGES {_hot.Database}.ohlcv", null, Ct);
        await InsertCandlesAsync(MinutesAgo(12), version: 1);
        await InsertCandlesAsync(MinutesAgo(11), version: 3);
        await InsertCandlesAsync(MinutesAgo(10), version: 2);

        var result = await Offloader().OffloadAsync(Gold, Ct);

        result.Rows.ShouldBe(100);
        var cold = await ColdAsync(Gold);
        cold.ShouldBe(await fixture.ClickHouse.QueryRawTextAsync(
            $"SELECT {Gold.SelectList} FROM {_hot.Database}.ohlcv FINAL WHERE {Gold.HotFilter} ORDER BY ALL", Ct));
        cold.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(row => row.Split('\t')).Select(fields => fields[fields.Length - 2]).ShouldAllBe(version => version == "3");
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

    [Fact]
    public async Task An_offload_that_loses_the_commit_leaves_the_winners_metadata_file_alone()
    {
        await InsertSilverAsync(0, 5_000, MinutesAgo(10));
        await Offloader().EnsureTableAsync(Silver, Ct);
        using var bothBuilt = new CountdownEvent(2);
        using var winnerDone = new ManualResetEventSlim();
        var winner = Offloader();
        var loser = Offloader();
        // Both read version 1 and build their snapshot before either writes version 2.
        winner.StepReached = (step, _) =>
        {
            if (step == OffloadStep.ManifestsWritten)
            {
                bothBuilt.Signal();
                bothBuilt.Wait(Ct);
            }
        };
        loser.StepReached = (step, _) =>
        {
            if (step == OffloadStep.ManifestsWritten)
            {
                bothBuilt.Signal();
                winnerDone.Wait(Ct);
            }
        };

        var losing = Task.Run(() => loser.OffloadAsync(Silver, Ct), Ct);
        var won = await Task.Run(() => winner.OffloadAsync(Silver, Ct), Ct);
        winnerDone.Set();

        await Should.ThrowAsync<OffloadConflictException>(() => losing);
        won.Rows.ShouldBe(5_000);
        var committed = (await _catalog.LoadMetadataLocationAsync(new TableIdentifier(Silver.Namespace, Silver.Name), Ct))!;
        var committedKey = _warehouse.KeyOf(committed)!;
        TableMetadataJson.Read((await _warehouse.GetAsync(committedKey, Ct))!).CurrentSnapshotId.ShouldBe(won.SnapshotId);
        var metadataFiles = await MetadataFilesAsync(Silver);
        metadataFiles.Select(MetadataFileNames.VersionOf).ShouldBe([1, 2], ignoreOrder: true, "one file per version: the loser's is gone");
        metadataFiles.ShouldContain(committedKey);
        HintedKey(Silver, (await _warehouse.GetAsync(VersionHintKey(Silver), Ct))!).ShouldBe(committedKey);
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
        (await ColdAsync(Silver, ", SETTINGS iceberg_use_version_hint = 1")).ShouldBe(await HotAsync(Silver));
    }

    protected async Task<List<string>> MetadataFilesAsync(ColdTable table)
    {
        var keys = new List<string>();
        await foreach (var file in _warehouse.ListAsync($"{table.Namespace}/{table.Name}/metadata/", Ct))
        {
            if (file.Key.EndsWith(".metadata.json", StringComparison.Ordinal))
            {
                keys.Add(file.Key);
            }
        }

        return keys;
    }

    protected static string VersionHintKey(ColdTable table) => $"{table.Namespace}/{table.Name}/metadata/version-hint.text";

    /// <summary>The metadata file a version hint names, resolved as PyIceberg's <c>StaticTable</c> and ClickHouse do.</summary>
    private static string HintedKey(ColdTable table, byte[] hint)
    {
        var text = System.Text.Encoding.ASCII.GetString(hint);
        return $"{table.Namespace}/{table.Name}/metadata/{(text.All(char.IsAsciiDigit) ? $"v{text}" : text)}.metadata.json";
    }

    private sealed class SimulatedCrashException : Exception;
}

/// <summary>
/// The suite on a local warehouse, read back with <c>icebergLocal</c>. The warehouse lies below the working directory,
/// the only place chDB's <c>icebergLocal</c> may read.
/// </summary>
public sealed class LocalTableOffloaderTests(EmbeddedClickHouseFixture fixture) : TableOffloaderTests(fixture)
{
    protected override IObjectStore CreateWarehouse(string directory) => new LocalDirectoryObjectStore(directory);

    protected override string IcebergTableFunction(IObjectStore warehouse, ColdTable table, string settings = "") =>
        $"icebergLocal('{Path.GetRelativePath(Environment.CurrentDirectory, warehouse.LocationOf($"{table.Namespace}/{table.Name}"))}'{settings})";
}

/// <summary>
/// The suite on a real s3rver (one per class; each test has its own prefix in the bucket), read back with
/// <c>icebergS3</c>. s3rver ignores <c>If-None-Match</c>, so the store does not promise create-only puts and concurrent
/// offloads meet only in the catalog's compare-and-swap.
/// </summary>
public sealed class S3TableOffloaderTests(EmbeddedClickHouseFixture fixture, S3rverFixture s3rver)
    : TableOffloaderTests(fixture), IClassFixture<S3rverFixture>
{
    private S3ObjectStore? _store;

    protected override IObjectStore CreateWarehouse(string directory) =>
        _store = new S3ObjectStore(s3rver.Options($"test-{Guid.NewGuid():N}"), enforcesCreateOnly: false);

    protected override string IcebergTableFunction(IObjectStore warehouse, ColdTable table, string settings = "") =>
        $"icebergS3('{warehouse.LocationOf($"{table.Namespace}/{table.Name}")}', '{S3rverFixture.AccessKey}', '{S3rverFixture.SecretKey}'{settings})";

    [Fact]
    public async Task Metadata_names_objects_by_s3_URI_and_chDB_resolves_them_against_the_endpoint_it_is_given()
    {
        await InsertSilverAsync(0, 1_000, MinutesAgo(10));
        await Offloader().OffloadAsync(Silver, Ct);

        var committed = (await Catalog.LoadMetadataLocationAsync(new TableIdentifier(Silver.Namespace, Silver.Name), Ct))!;
        var tableUri = Warehouse.IcebergLocationOf($"{Silver.Namespace}/{Silver.Name}");
        tableUri.ShouldStartWith($"s3://{S3rverFixture.Bucket}/test-");
        committed.ShouldStartWith(tableUri + "/metadata/");
        var metadata = TableMetadataJson.Read((await Warehouse.GetAsync(Warehouse.KeyOf(committed)!, Ct))!);
        metadata.Location.ShouldBe(tableUri);
        metadata.CurrentSnapshot!.ManifestList.ShouldStartWith(tableUri + "/metadata/snap-");
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
    }

    [Fact]
    public async Task A_lost_attempts_file_of_the_current_version_is_removed_by_the_next_offload_before_chDB_would_read_it()
    {
        await InsertSilverAsync(0, 1_000, MinutesAgo(10));
        await Offloader().OffloadAsync(Silver, Ct);
        var files = await MetadataFilesAsync(Silver);
        var first = files.Single(f => MetadataFileNames.VersionOf(f) == 1);
        // What a loser that stopped before removing its version-2 file leaves: named before the committed one.
        var stray = $"{Silver.Namespace}/{Silver.Name}/metadata/{MetadataFileNames.MetadataFile(2, Guid.Empty)}";
        await Warehouse.PutAsync(stray, (await Warehouse.GetAsync(first, Ct))!, Ct);

        // chDB takes the highest version and, of two files of one version, the first by name; the hint names the committed one.
        (await ColdAsync(Silver)).ShouldBeEmpty();
        (await ColdAsync(Silver, ", SETTINGS iceberg_use_version_hint = 1")).ShouldBe(await HotAsync(Silver));

        var idle = await Offloader().OffloadAsync(Silver, Ct);

        idle.SnapshotId.ShouldBeNull();
        (await Warehouse.HeadAsync(stray, Ct)).ShouldBeNull();
        (await ColdAsync(Silver)).ShouldBe(await HotAsync(Silver));
    }

    public override async ValueTask DisposeAsync()
    {
        _store?.Dispose();
        await base.DisposeAsync();
    }
}
