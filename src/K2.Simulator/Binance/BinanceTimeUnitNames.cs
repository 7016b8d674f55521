using K2.Core.Exchanges.Binance;

namespace K2.Simulator.Binance;

/// <summary>
/// The values of the <c>timeUnit</c> stream parameter and the <c>X-MBX-TIME-UNIT</c> REST header, exactly as
/// Binance lists them (CHANGELOG 2024-12-17): upper or lower case, nothing in between.
/// </summary>
internal static class BinanceTimeUnitNames
{
    /// <summary>Reads a time unit; absent means milliseconds, an unlisted value is an error.</summary>
    public static bool TryParse(string? text, out BinanceTimeUnit unit)
    {
        BinanceTimeUnit? parsed = text switch
        {
            null or "MILLISECOND" or "millisecond" => BinanceTimeUnit.Millisecond,
            "MICROSECOND" or "microsecond" => BinanceTimeUnit.Microsecond,
            _ => null,
        };
        unit = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}
