namespace K2.Core;

/// <summary>The exchanges K2 connects to. Values are stable: they are written to storage.</summary>
public enum Exchange : byte
{
    Binance = 1,
    Kraken = 2,
    Coinbase = 3,
}

public static class ExchangeNames
{
    /// <summary>All exchanges in id order.</summary>
    public static IReadOnlyList<Exchange> All { get; } = [Exchange.Binance, Exchange.Kraken, Exchange.Coinbase];

    /// <summary>The lower-case name used in configuration, storage and the API.</summary>
    public static string ToName(this Exchange exchange) => exchange switch
    {
        Exchange.Binance => "binance",
        Exchange.Kraken => "kraken",
        Exchange.Coinbase => "coinbase",
        _ => throw new ArgumentOutOfRangeException(nameof(exchange), exchange, "Unknown exchange."),
    };

    public static bool TryParse(ReadOnlySpan<char> name, out Exchange exchange)
    {
        foreach (var candidate in All)
        {
            if (name.Equals(candidate.ToName(), StringComparison.OrdinalIgnoreCase))
            {
                exchange = candidate;
                return true;
            }
        }

        exchange = default;
        return false;
    }
}
