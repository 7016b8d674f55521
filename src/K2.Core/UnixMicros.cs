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

    /// <summary>0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the range a DateTimeOffset can hold.</summary>
    private const long MinDateTimeOffsetMicros = -62_135_596_800_000_000;
    private const long MaxDateTimeOffsetMicros = 253_402_300_799_999_999;

    public static UnixMicros FromMilliseconds(long milliseconds) => new(checked(milliseconds * MicrosPerMillisecond));

    public static UnixMicros FromDateTimeOffset(DateTimeOffset instant) =>
        new((instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond);

    public static UnixMicros Now(TimeProvider time) => FromDateTimeOffset(time.GetUtcNow());

    /// <exception cref="ArgumentOutOfRangeException">The value lies outside years 1 to 9999.</exception>
    public DateTimeOffset ToDateTimeOffset() => IsCalendarDate
        ? DateTimeOffset.UnixEpoch.AddTicks(Value * TicksPerMicrosecond)
        : throw new ArgumentOutOfRangeException(nameof(Value), Value, "Outside the range of DateTimeOffset.");

    private bool IsCalendarDate => Value is >= MinDateTimeOffsetMicros and <= MaxDateTimeOffsetMicros;

    public int CompareTo(UnixMicros other) => Value.CompareTo(other.Value);

    public static bool operator <(UnixMicros left, UnixMicros right) => left.Value < right.Value;
    public static bool operator >(UnixMicros left, UnixMicros right) => left.Value > right.Value;
    public static bool operator <=(UnixMicros left, UnixMicros right) => left.Value <= right.Value;
    public static bool operator >=(UnixMicros left, UnixMicros right) => left.Value >= right.Value;

    /// <exception cref="OverflowException">The difference does not fit a <see cref="TimeSpan"/>.</exception>
    public static TimeSpan operator -(UnixMicros left, UnixMicros right) =>
        TimeSpan.FromTicks(checked((left.Value - right.Value) * TicksPerMicrosecond));

    /// <summary>
    /// ISO 8601 UTC with exactly six fractional digits, e.g. <c>2026-11-22T10:15:00.123456Z</c>; a value outside
    /// years 1 to 9999 (only ever a bad input) prints as <c>UnixMicros(123…)</c> rather than throwing.
    /// </summary>
    public override string ToString() => IsCalendarDate
        ? ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"UnixMicros({Value})");
}
