using K2.Core;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>One offload of one table, as the run log keeps it; <see cref="Error"/> is set when <see cref="Outcome"/> is a failure.</summary>
public sealed record OffloadRun(
    Guid RunId,
    string Table,
    UnixMicros StartedAt,
    UnixMicros FinishedAt,
    long Rows,
    long Bytes,
    int Files,
    TimeSpan Duration,
    string Outcome,
    string? Error);
