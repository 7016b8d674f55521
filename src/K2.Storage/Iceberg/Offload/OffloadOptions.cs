namespace K2.Storage.Iceberg.Offload;

/// <summary>Offload settings. Bound from <c>K2:Offload</c>.</summary>
public sealed class OffloadOptions
{
    public const string Section = "K2:Offload";

    /// <summary>
    /// Rows younger than this (by ingest time) wait for the next offload: an insert that is still in flight when the
    /// slice is read lands with an ingest time inside the lag, never behind the watermark. Keep it above the hot store's
    /// insert timeout.
    /// </summary>
    public TimeSpan SafetyLag { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A backlog larger than this (after downtime, or a first offload of a full hot store) goes in several commits of
    /// about this many rows each, since each day file of a commit is built in memory before it is stored. Rows that
    /// share one ingest time are never split, so a commit can hold more.
    /// </summary>
    public long MaxRowsPerCommit { get; set; } = 20_000_000;
}
