using K2.Core;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>A schedule's lease as stored: which run holds it, and until when (in that run's silo clock).</summary>
public sealed record ScheduleLease(string Schedule, string Holder, UnixMicros ExpiresAt);
