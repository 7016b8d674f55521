using System.Globalization;

namespace K2.Core;

/// <summary>
/// A UTC instant as microseconds since the Unix epoch: the one time unit K2 uses from the parser boundary to
/// storage (ClickHouse DateTime64(6,'UTC') and Iceberg timestamptz are both microseconds).
/// </summary>
public readonly record struct UnixMicros(long Value) : IComparable<UnixMicros>
{
    private const long MicrosPerMillisecond = 1_000;
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / MicrosPerMillisecond;

    public static UnixMicros FromMilliseconds(long milliseconds) => new(checked(milliseconds * MicrosPerMillisecond));

    public static UnixMicros FromDateTimeOffset(DateTimeOffset instant) =>
        new((instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond);

    public static UnixMicros Now(TimeProvider time) => FromDateTimeOffset(time.GetUtcNow());

    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.UnixEpoch.AddTicks(Value * TicksPerMicrosecond);

    public int CompareTo(UnixMicros other) => Value.CompareTo(other.Value);

    public static bool operator <(UnixMicros left, UnixMicros right) => left.Value < right.Value;
    public static bool operator >(UnixMicros left, UnixMicros right) => left.Value > right.Value;
    public static bool operator <=(UnixMicros left, UnixMicros right) => left.Value <= right.Value;
    public static bool operator >=(UnixMicros left, UnixMicros right) => left.Value >= right.Value;

    public static TimeSpan operator -(UnixMicros left, UnixMicros right) =>
        TimeSpan.FromTicks((left.Value - right.Value) * TicksPerMicrosecond);

    /// <summary>ISO 8601 UTC with exactly six fractional digits, e.g. <c>2026-11-22T10:15:00.123456Z</c>.</summary>
    public override string ToString() =>
        ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
