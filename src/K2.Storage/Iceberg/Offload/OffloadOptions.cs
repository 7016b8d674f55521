namespace K2.Storage.Iceberg.Offload;

/// <summary>Offload settings. Bound from <c>K2:Offload</c>.</summary>
public sealed class OffloadOptions
{
    /// <summary>
    /// Rows younger than this (by ingest time) wait for the next offload: an insert that is still in flight when the
    /// slice is read lands with an ingest time inside the lag, never behind the watermark. Keep it above the hot store's
    /// insert timeout.
    /// </summary>
    public TimeSpan SafetyLag { get; set; } = TimeSpan.FromMinutes(2);
}
