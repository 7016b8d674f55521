using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>
/// Expires a cold table's snapshots older than <see cref="MaintenanceOptions.SnapshotRetention"/>, never the current
/// one, and commits the shorter metadata. The files only expired snapshots referenced are left for
/// <see cref="OrphanFileRemoval"/>, which deletes whatever no live snapshot references.
/// </summary>
public sealed class SnapshotExpiration(TableMetadataCommitter committer, MaintenanceOptions options, TimeProvider time)
{
    /// <summary>Expires the table's old snapshots; returns how many were removed (0: nothing committed).</summary>
    public async Task<int> ExpireAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var removed = 0;
        await committer.CommitAsync(table, (current, _) =>
        {
            var now = time.GetUtcNow();
            var expiry = TableMetadataUpdates.ExpireSnapshots(
                current.Metadata, (now - options.SnapshotRetention).ToUnixTimeMilliseconds(), current.Location, now.ToUnixTimeMilliseconds());
            removed = expiry.Removed.Count;
            return Task.FromResult(removed == 0 ? null : expiry.Metadata);
        }, cancellationToken);
        return removed;
    }
}
