using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Iceberg.Commits;

/// <summary>
/// What the committer refuses, on a local warehouse with a SQLite catalog. Commits themselves (lost swaps, crashed
/// writers, per-attempt names) are tested through their writers, in the offload and maintenance suites on both stores.
/// </summary>
public sealed class TableMetadataCommitterTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ColdTable Silver = ColdTables.SilverTrades;

    private readonly TempDirectory _root = new("k2-committer");
    private SqliteDatabaseFile _catalogDatabase = null!;
    private LocalDirectoryObjectStore _warehouse = null!;
    private TableMetadataCommitter _committer = null!;

    public async ValueTask InitializeAsync()
    {
        _warehouse = new LocalDirectoryObjectStore(Path.Combine(_root.Path, "warehouse"));
        _catalogDatabase = new SqliteDatabaseFile(Path.Combine(_root.Path, "state.db"));
        var catalog = new SqlCatalog(_catalogDatabase.DataSource, "k2");
        await catalog.CreateTablesAsync(Ct);
        await catalog.CreateNamespaceAsync(ColdTables.Namespace, Ct);
        _committer = new TableMetadataCommitter(_warehouse, catalog, NullLogger<TableMetadataCommitter>.Instance);
        await _committer.RegisterAsync(
            Silver, TableMetadataUpdates.NewTable(Silver.Schema, Silver.PartitionSpec, _committer.KeysOf(Silver).TableLocation, Guid.NewGuid(), 1_000), Ct);
    }

    public ValueTask DisposeAsync()
    {
        _catalogDatabase.Dispose();
        _root.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_change_whose_metadata_log_does_not_end_at_the_current_file_is_refused_before_anything_is_written()
    {
        var current = await _committer.LoadCurrentAsync(Silver, Ct);
        var unlogged = current.Metadata with { Properties = new Dictionary<string, string>(current.Metadata.Properties) { ["k2.test"] = "x" } };

        var refused = await Should.ThrowAsync<ArgumentException>(() => _committer.TryCommitAsync(Silver, current, unlogged, null, Ct));

        refused.Message.ShouldContain(current.Location);
        (await _committer.LoadCurrentAsync(Silver, Ct)).Location.ShouldBe(current.Location);
        (await _committer.KeysOf(Silver).MetadataKeysAsync(2, Ct)).ShouldBeEmpty("no file of the next version was written");
    }
}
