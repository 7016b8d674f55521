using K2.Core;

namespace K2.Storage.Writers;

/// <summary>
/// Told by a <see cref="BatchedTableWriter{TRow}"/> of the rows of every batch it inserted (those it could encode), with
/// the ingest time they carry; null when an earlier attempt whose answer was lost may have landed them, with that
/// attempt's time. Called on the writer's loop: it must be quick and never throw.
/// </summary>
public interface ILandedRowsObserver<TRow>
{
    void Landed(IReadOnlyList<TRow> rows, UnixMicros? ingestTime);
}
