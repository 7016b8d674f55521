namespace K2.Storage.ClickHouse.RowBinary;

/// <summary>Powers of ten as decimals, for converting between ClickHouse's scaled integers and <see cref="decimal"/>.</summary>
internal static class DecimalScale
{
    private static readonly decimal[] Powers =
    [
        1m, 10m, 100m, 1_000m, 10_000m, 100_000m, 1_000_000m, 10_000_000m, 100_000_000m, 1_000_000_000m,
        10_000_000_000m, 100_000_000_000m, 1_000_000_000_000m, 10_000_000_000_000m, 100_000_000_000_000m,
        1_000_000_000_000_000m, 10_000_000_000_000_000m, 100_000_000_000_000_000m, 1_000_000_000_000_000_000m,
    ];

    private static readonly ulong[] UInt64Powers =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
    ];

    public const int MaxDecimal64Scale = 18;

    /// <summary>Decimal64 holds at most 18 digits, so scales run from 0 to 18.</summary>
    public static decimal PowerOfTen(int scale) =>
        scale >= 0 && scale < Powers.Length ? Powers[scale] : throw new ArgumentOutOfRangeException(nameof(scale), scale, "Scale must be 0 to 18.");

    /// <summary>10^<paramref name="exponent"/> for exponents 0 to 18, as an integer.</summary>
    public static ulong UInt64PowerOfTen(int exponent) => UInt64Powers[exponent];
}
