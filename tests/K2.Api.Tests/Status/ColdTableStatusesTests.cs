using K2.Api.Status;
using K2.Core;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;
using K2.Testing;

namespace K2.Api.Tests.Status;

/// <summary>
/// The cold tables of the status from a real SQLite state database and a local warehouse: each table's latest run,
/// watermark and newest maintenance records, a metadata file that cannot be read reported on its table alone, and a
/// state database that cannot be opened reported as the whole section unavailable.
/// </summary>
public sealed class ColdTableStatusesTests : IDisposable
{
    private readonly TempDirectory _data = new("k2-status");
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Each_table_shows_its_watermark_latest_run_and_maintenance_and_a_missing_metadata_file_only_on_its_own_table()
    {
        var ct = TestContext.Current.CancellationToken;
        using var database = new SqliteDatabaseFile(Path.Combine(_data.Path, "k2.db"));
        var catalog = new SqlCatalog(database.DataSource, "k2");
        var state = new OffloadStateStore(database.DataSource);
        var warehouse = new LocalDirectoryObjectStore(Path.Combine(_data.Path, "warehouse"));
        await catalog.CreateTablesAsync(ct);
        await catalog.CreateNamespaceAsync("cold", ct);
        var location = warehouse.IcebergLocationOf("cold/silver_trades/metadata/v1.metadata.json"); // never written
        await catalog.RegisterTableAsync(new TableIdentifier("cold", "silver_trades"), location, ct);
        var watermark = new OffloadWatermark("silver_trades", new UnixMicros(1_700_000_000_000_000), "binance|BTC-USDT|42", 7, new UnixMicros(1_700_000_100_000_000));
        await state.SaveWatermarkAsync(watermark, ct);
        var earlier = Run("silver_trades", 1_700_000_000_000_000, "committed", null);
        var latest = Run("silver_trades", 1_700_000_900_000_000, "failed", "boom");
        var gold = Run("gold_ohlcv_1m", 1_700_000_500_000_000, "empty", null);
        foreach (var run in new[] { latest, earlier, gold })
        {
            await state.RecordRunAsync(run, ct);
        }

        var compact = new MaintenanceAudit(Guid.NewGuid(), "silver_trades", "compact", null, null, null, null, "ok", new UnixMicros(1_700_000_200_000_000));
        var audit = new MaintenanceAudit(
            Guid.NewGuid(), "silver_trades", "audit", 12, 11, new UnixMicros(1_699_913_600_000_000), new UnixMicros(1_700_000_000_000_000), "mismatch",
            new UnixMicros(1_700_000_210_000_000));
        await state.RecordAuditAsync(audit, ct);
        await state.RecordAuditAsync(compact, ct);

        var tables = await new ColdTableStatuses(new ColdTableStates(database.DataSource, "k2"), catalog, warehouse).ReadAsync(ct);

        tables.Select(t => t.State.Table).ShouldBe(ColdTables.All.Select(t => t.Name));
        var byName = tables.ToDictionary(t => t.State.Table);
        Parts(byName["gold_ohlcv_1m"].State).ShouldBe(("gold_ohlcv_1m", null, null, gold));
        byName["gold_ohlcv_1m"].State.LatestMaintenance.ShouldBeEmpty();
        byName["gold_ohlcv_1m"].Snapshot.ShouldBeNull();
        Parts(byName["bronze_trades_binance"].State).ShouldBe(("bronze_trades_binance", null, null, null));
        Parts(byName["silver_trades"].State).ShouldBe(("silver_trades", location, watermark, latest));
        // Compact before audit: the order the maintenance runs its tasks, whichever was recorded first.
        byName["silver_trades"].State.LatestMaintenance.ShouldBe([compact, audit]);
        var snapshot = byName["silver_trades"].Snapshot.ShouldNotBeNull();
        (snapshot.MetadataLocation, snapshot.SnapshotId, snapshot.TotalRecords).ShouldBe((location, null, null));
        snapshot.Unavailable.ShouldBe($"{location} is missing from the warehouse.");
    }

    [Fact]
    public async Task A_state_database_that_cannot_be_opened_makes_the_section_unavailable()
    {
        using var database = new SqliteDatabaseFile(Path.Combine(_data.Path, "no such directory", "k2.db"));
        var statuses = new ColdTableStatuses(
            new ColdTableStates(database.DataSource, "k2"), new SqlCatalog(database.DataSource, "k2"), new LocalDirectoryObjectStore(_data.Path));

        var section = await new StatusSectionCache<IReadOnlyList<ColdTableStatus>>(statuses.ReadAsync, _time).GetAsync();

        section.Value.ShouldBeNull();
        section.Unavailable.ShouldBe("SQLite Error 14: 'unable to open database file'.");
    }

    private static (string, string?, OffloadWatermark?, OffloadRun?) Parts(ColdTableState state) =>
        (state.Table, state.MetadataLocation, state.Watermark, state.LatestRun);

    private static OffloadRun Run(string table, long startedAt, string outcome, string? error) =>
        new(Guid.NewGuid(), table, new UnixMicros(startedAt), new UnixMicros(startedAt + 2_000_000), 10, 1000, 1, TimeSpan.FromSeconds(2), outcome, error);
}
