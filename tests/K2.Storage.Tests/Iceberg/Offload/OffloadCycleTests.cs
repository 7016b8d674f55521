using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.ObjectStores;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Iceberg.Offload;

/// <summary>A cycle over several tables: the layer order, a failing table that stops no other, the run log, the metrics and the progress it reports.</summary>
public sealed class OffloadCycleTests(EmbeddedClickHouseFixture fixture) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ColdTable Bronze = ColdTables.BronzeTrades(Exchange.Kraken);
    private static readonly ColdTable Silver = ColdTables.SilverTrades;
    private static readonly ColdTable Gold = ColdTables.GoldOhlcv(Timeframe.OneMinute);

    private readonly TempDirectory _root = TempDirectory.BelowWorkingDirectory("k2-cycle");
    private readonly TestMeterFactory _meters = new();
    private SqliteDatabaseFile _database = null!;
    private HotStoreOptions _hot = null!;
    private OffloadStateStore _state = null!;

    public async ValueTask InitializeAsync()
    {
        _hot = await fixture.CreateDatabaseAsync(Ct);
        _database = new SqliteDatabaseFile(Path.Combine(_root.Path, "state.db"));
        _state = new OffloadStateStore(_database.DataSource);
    }

    public ValueTask DisposeAsync()
    {
        _meters.Dispose();
        _database.Dispose();
        _root.Dispose();
        return ValueTask.CompletedTask;
    }

    private OffloadCycle Cycle()
    {
        var catalog = new SqlCatalog(_database.DataSource, "k2");
        var warehouse = new LocalDirectoryObjectStore(Path.Combine(_root.Path, "warehouse"));
        var offloader = new TableOffloader(
            fixture.ClickHouse, _hot, warehouse, new TableMetadataCommitter(warehouse, catalog, NullLogger<TableMetadataCommitter>.Instance), _state,
            new OffloadOptions { SafetyLag = TimeSpan.Zero }, TimeProvider.System, NullLogger<TableOffloader>.Instance);
        return new OffloadCycle(offloader, catalog, _state, new OffloadMetrics(_meters, TimeProvider.System), TimeProvider.System, NullLogger<OffloadCycle>.Instance);
    }

    private Task InsertSilverAsync(int count) => fixture.ClickHouse.ExecuteAsync($$"""
        INSERT INTO {{_hot.Database}}.silver_trades
        SELECT 'kraken', 'BTC-USD', 'BTC/USD', toString(number), toDecimal64(87000, 8), toDecimal64(1, 8) / 1000, 'buy',
               {ingest:DateTime64(6, 'UTC')} - toIntervalSecond(number), {ingest:DateTime64(6, 'UTC')} - toIntervalSecond(number),
               {ingest:DateTime64(6, 'UTC')}
        FROM numbers({{count}})
        """, new ClickHouseParameters().Add("ingest", UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-10))), Ct);

    private sealed class RecordedProgress : IProgress<OffloadOutcome>
    {
        public List<OffloadOutcome> Reported { get; } = [];

        public void Report(OffloadOutcome value)
        {
            lock (Reported)
            {
                Reported.Add(value);
            }
        }
    }

    [Fact]
    public async Task Layers_run_in_order_a_failing_table_stops_no_other_and_every_run_is_logged_counted_and_reported()
    {
        await InsertSilverAsync(500);
        await fixture.ClickHouse.ExecuteAsync($"DROP TABLE {_hot.Database}.{Bronze.HotTable}", null, Ct);
        var progress = new RecordedProgress();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        var outcomes = await Cycle().RunAsync([Gold.Name, Silver.Name, Bronze.Name], progress, Ct);
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + 0.001;

        outcomes.Select(o => o.Table).ShouldBe([Bronze.Name, Silver.Name, Gold.Name], "bronze, then silver, then gold");
        outcomes[0].Error.ShouldNotBeNull().ShouldContain(Bronze.HotTable);
        outcomes[1].Result!.Rows.ShouldBe(500);
        outcomes[2].Result!.SnapshotId.ShouldBeNull("no candles: nothing committed");
        progress.Reported.ShouldBe(outcomes, "each outcome reported as it was known, in the same order here");

        var runs = new List<OffloadRun>();
        foreach (var table in new[] { Bronze, Silver, Gold })
        {
            runs.Add((await _state.RecentRunsAsync(table.Name, 5, Ct)).Single());
        }

        runs.Select(r => r.Outcome).ShouldBe(["failed", "committed", "empty"]);
        runs[1].Rows.ShouldBe(500);
        runs[0].Error.ShouldNotBeNull().ShouldContain(Bronze.HotTable);

        _meters.Sum("k2.offload.rows").ShouldBe(500);
        _meters.Sum("k2.offload.files").ShouldBe(1);
        _meters.Sum("k2.offload.failures").ShouldBe(1);
        _meters.Values("k2.offload.duration").Count.ShouldBe(3);
        _meters.Observe();
        var ages = _meters.Values("k2.offload.watermark.age");
        ages.Count.ShouldBe(1, "only silver has a watermark");
        ages[0].ShouldBeInRange(0, 60);
        // Committed or empty, a table's offload succeeded and checked its slice; the failed one has no success to report.
        _meters.Values("k2.offload.last_success").Count.ShouldBe(2);
        _meters.Sum("k2.offload.last_success", ("table", Silver.Name)).ShouldBeInRange(before, after);
        _meters.Sum("k2.offload.last_success", ("table", Gold.Name)).ShouldBeInRange(before, after);
    }
}
