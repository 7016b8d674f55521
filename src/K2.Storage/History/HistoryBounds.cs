using K2.Core;

namespace K2.Storage.History;

/// <summary>Where a range's stored rows begin and end (inclusive), in exchange time or bucket start.</summary>
public readonly record struct HistoryBounds(UnixMicros First, UnixMicros Last)
{
    /// <summary>Whether [<paramref name="from"/>, <paramref name="to"/>) (either end open when null) can hold a row within these bounds.</summary>
    public bool Overlaps(UnixMicros? from, UnixMicros? to) => (from is not { } low || low <= Last) && (to is not { } high || high > First);
}
