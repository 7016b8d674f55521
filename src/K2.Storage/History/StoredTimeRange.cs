using K2.Core;

namespace K2.Storage.History;

/// <summary>
/// The instants a <c>DateTime64(6, 'UTC')</c> column can hold (1900-01-01 to 2299-12-31). Query bounds are clamped into
/// it before they become parameters, which ClickHouse would otherwise refuse or wrap; no stored row lies outside it,
/// so the answer is the same.
/// </summary>
internal static class StoredTimeRange
{
    public static readonly UnixMicros Min = UnixMicros.FromDateTimeOffset(new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public static readonly UnixMicros Max = new(UnixMicros.FromDateTimeOffset(new DateTimeOffset(2300, 1, 1, 0, 0, 0, TimeSpan.Zero)).Value - 1);

    public static UnixMicros Clamp(UnixMicros time) => time < Min ? Min : time > Max ? Max : time;
}
