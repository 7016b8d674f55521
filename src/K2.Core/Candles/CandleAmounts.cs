namespace K2.Core.Candles;

/// <summary>
/// Candle amounts are exact integers of a fixed scale, so sums never round: prices, quantities and volumes count
/// units of 10^-8 (the scale of a stored trade), quote volume and vwap units of 10^-16 (price times quantity).
/// Volumes and quote volume are 128-bit: a day of a busy market overflows 64 bits of 10^-16 units.
/// </summary>
public static class CandleAmounts
{
    public const int AmountScale = 8;
    public const int QuoteScale = 16;

    private const decimal AmountUnitsPerOne = 100_000_000m;

    /// <summary>
    /// A validated trade amount (positive, at most 8 decimals, below 10^10; see <see cref="Trades.TradeValidator"/>) in
    /// units of 10^-8.
    /// </summary>
    public static long ToUnits(decimal amount)
    {
        var scaled = amount * AmountUnitsPerOne;
        return scaled == decimal.Truncate(scaled)
            ? decimal.ToInt64(scaled)
            : throw new ArgumentOutOfRangeException(nameof(amount), amount, "More than 8 decimal places.");
    }

    /// <summary>Units of 10^-<paramref name="scale"/> as a decimal; throws when the value exceeds decimal's 28 digits.</summary>
    public static decimal ToDecimal(Int128 units, int scale) => (decimal)units / Power(scale);

    /// <summary>Quote volume divided by volume, truncated toward zero to 10^-16: the same rule as ClickHouse's Decimal division.</summary>
    public static Int128 Vwap(Int128 quoteVolume, Int128 volume) =>
        volume == 0 ? 0 : (Int128)(((System.Numerics.BigInteger)quoteVolume * 100_000_000) / (System.Numerics.BigInteger)volume);

    private static decimal Power(int scale) => scale switch
    {
        AmountScale => AmountUnitsPerOne,
        QuoteScale => AmountUnitsPerOne * AmountUnitsPerOne,
        _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, "Candle amounts have scale 8 or 16."),
    };
}
