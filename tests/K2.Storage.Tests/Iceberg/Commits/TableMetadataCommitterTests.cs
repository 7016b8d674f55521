using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Iceberg.Commits;

/// <summary>
/// What the committer refuses, and a three-writer race no single writer's suite can stage, on a local warehouse with a
/// SQLite catalog. Other commits (lost swaps, crashed writers, per-attempt names) are tested through their writers, in
/// the offload and maintenance suites on both stores.
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

    /// <summary>The next metadata on <paramref name="current"/> with one property changed, logged as a commit must be.</summary>
    private static TableMetadata WithProperty(CurrentMetadata current, string value) => current.Metadata with
    {
        Properties = new Dictionary<string, string>(current.Metadata.Properties) { ["k2.test"] = value },
        MetadataLog = [.. current.Metadata.MetadataLog, new MetadataLogEntry(current.Location, current.Metadata.LastUpdatedMs)],
    };

    [Fact]
    public async Task A_writer_whose_file_a_loader_committed_and_a_third_writer_built_on_reports_its_commit_and_keeps_its_file()
    {
        var current = await _committer.LoadCurrentAsync(Silver, Ct);
        CurrentMetadata? third = null;

        var mine = await _committer.TryCommitAsync(Silver, current, WithProperty(current, "mine"), () =>
        {
            // Between this writer's file and its swap: another process loads the table (which commits that file for
            // it), and a third writer commits on top.
            var loaded = _committer.LoadCurrentAsync(Silver, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
            third = _committer.TryCommitAsync(Silver, loaded, WithProperty(loaded, "third"), null, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        }, Ct);
        await _committer.UpdateVersionHintAsync(Silver, Ct);

        mine.ShouldNotBeNull("its change was committed, by the loader");
        mine.Version.ShouldBe(2);
        third.ShouldNotBeNull().Version.ShouldBe(3);
        third.Metadata.Properties["k2.test"].ShouldBe("third");
        (await _warehouse.GetAsync(_committer.KeysOf(Silver).RequiredKeyOf(mine.Location), Ct)).ShouldNotBeNull("a committed file stays");
        var latest = await _committer.LoadCurrentAsync(Silver, Ct);
        latest.Location.ShouldBe(third.Location);
        latest.Metadata.MetadataLog.Select(e => e.MetadataFile).ShouldContain(mine.Location);
        MetadataFileNames.ReadVersionHint((await _warehouse.GetAsync(_committer.KeysOf(Silver).VersionHintKey, Ct))!).ShouldBe(3, "the hint names the newest file, not the caller's");
    }
}
