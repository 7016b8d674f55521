using System.Collections.Concurrent;
using System.Globalization;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;

namespace K2.Api.Status;

/// <summary>
/// Each of the ten cold tables' offload state (index lookups in the state database) and its current snapshot (id, records,
/// data files), from the snapshot summary in the metadata file the catalog points at. A metadata file never changes
/// once written, so each is read from the warehouse once: polls cost only the state reads until an offload or a
/// maintenance commit moves the catalog on.
/// </summary>
internal sealed class ColdTableStatuses(ColdTableStates states, SqlCatalog catalog, IObjectStore warehouse)
{
    private static readonly string[] TableNames = [.. ColdTables.All.Select(t => t.Name)];

    private readonly ConcurrentDictionary<string, ColdSnapshot> _snapshotsByTable = new(StringComparer.Ordinal);
    private volatile bool _catalogReady;

    public async Task<IReadOnlyList<ColdTableStatus>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!_catalogReady)
        {
            // Before the first offload the state tables may not exist yet: creating them (idempotent, as every other
            // user of the state database does) makes that "nothing offloaded" rather than an error.
            await catalog.CreateTablesAsync(cancellationToken);
            _catalogReady = true;
        }

        var tables = await states.ReadAsync(ColdTables.Namespace, TableNames, cancellationToken);
        return await Task.WhenAll(tables.Select(async t => new ColdTableStatus(t, await SnapshotAsync(t, cancellationToken))));
    }

    private async Task<ColdSnapshot?> SnapshotAsync(ColdTableState table, CancellationToken cancellationToken)
    {
        if (table.MetadataLocation is not { } location)
        {
            return null;
        }

        if (_snapshotsByTable.TryGetValue(table.Table, out var known) && known.MetadataLocation == location)
        {
            return known;
        }

        ColdSnapshot snapshot;
        try
        {
            var key = warehouse.KeyOf(location) ?? throw new InvalidOperationException($"{location} is not in this warehouse.");
            var bytes = await warehouse.GetAsync(key, cancellationToken)
                ?? throw new InvalidOperationException($"{location} is missing from the warehouse.");
            var current = TableMetadataJson.Read(bytes).CurrentSnapshot;
            snapshot = new ColdSnapshot(location, current?.SnapshotId, Total(current, "total-records"), Total(current, "total-data-files"), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not cached: the next poll tries again.
            return new ColdSnapshot(location, null, null, null, e.Message);
        }

        _snapshotsByTable[table.Table] = snapshot;
        return snapshot;
    }

    /// <summary>A table with no snapshot holds nothing; a summary without the total (written by another engine) says nothing.</summary>
    private static long? Total(Snapshot? snapshot, string property) =>
        snapshot is null ? 0
        : snapshot.Summary.TryGetValue(property, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total
        : null;
}

/// <summary>A cold table's offload state and its current snapshot (null before the table exists in the catalog).</summary>
internal sealed record ColdTableStatus(ColdTableState State, ColdSnapshot? Snapshot);

/// <summary>
/// The snapshot a metadata file makes current: null id and zero totals for a table with no snapshot yet, or, when the
/// file could not be read, <paramref name="Unavailable"/> says why.
/// </summary>
internal sealed record ColdSnapshot(string MetadataLocation, long? SnapshotId, long? TotalRecords, long? TotalDataFiles, string? Unavailable);
