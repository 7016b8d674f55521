using K2.Core;

namespace K2.Storage.Writers;

/// <summary>
/// Told by a <see cref="BatchedTableWriter{TRow}"/> of every batch it inserted, with the ingest time the rows carry.
/// Called on the writer's loop: it must be quick and never throw.
/// </summary>
public interface ILandedRowsObserver<TRow>
{
    void Landed(IReadOnlyList<TRow> rows, UnixMicros ingestTime);
}
