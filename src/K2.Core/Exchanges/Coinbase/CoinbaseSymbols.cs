using K2.Core.Instruments;

namespace K2.Core.Exchanges.Coinbase;

/// <summary>
/// Maps between registry instruments and Coinbase product ids (<c>BTC-USD</c>), including Coinbase's USDC aliasing:
/// "Subscribing to "-USDC" based products are only available on the user channel. Other channels will return the same
/// data as the corresponding "-USD" based products." So market data for <c>X-USDC</c> is <c>X-USD</c>'s, and arrives
/// under the product id <c>X-USD</c>.
/// </summary>
public static class CoinbaseSymbols
{
    public const string UsdSuffix = "-USD";
    public const string UsdcSuffix = "-USDC";

    /// <summary>Product ids are short (<c>BTC-USD</c>); anything longer is not one.</summary>
    public const int MaxProductIdLength = 32;

    /// <summary>
    /// The product id K2 subscribes to, and asks REST for, to get an instrument's trades: its exchange symbol, except
    /// that <c>X-USDC</c> becomes <c>X-USD</c>. Subscribing to <c>X-USDC</c> would also work (the server answers with
    /// <c>X-USD</c> data), but asking for the id the data arrives under keeps the acknowledgement, the trades and the
    /// REST backfill in one product's trade-id space, and needs one subscription when both are listed.
    /// </summary>
    public static string MarketDataProductId(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return MarketDataProductId(instrument.ExchangeSymbol);
    }

    /// <summary><c>X-USDC</c> → <c>X-USD</c>; every other product id is its own market-data id.</summary>
    public static string MarketDataProductId(string productId)
    {
        ArgumentNullException.ThrowIfNull(productId);
        return IsUsdcProduct(productId) ? productId[..^1] : productId;
    }

    /// <summary>The distinct market-data product ids of some instruments, in first-seen order.</summary>
    public static IReadOnlyList<string> MarketDataProductIds(IEnumerable<Instrument> instruments) =>
        [.. instruments.Select(MarketDataProductId).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The instrument a product id on the wire belongs to: the Coinbase instrument with that exchange symbol, or, for an
    /// <c>X-USD</c> the registry does not list, its <c>X-USDC</c> instrument. Does not allocate.
    /// </summary>
    public static bool TryGetInstrument(InstrumentRegistry registry, ReadOnlySpan<char> productId, out Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (registry.TryGetByExchangeSymbol(Exchange.Coinbase, productId, out instrument))
        {
            return true;
        }

        if (productId.Length is 0 or >= MaxProductIdLength || !productId.EndsWith(UsdSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        Span<char> usdc = stackalloc char[MaxProductIdLength];
        productId.CopyTo(usdc);
        usdc[productId.Length] = 'C';
        return registry.TryGetByExchangeSymbol(Exchange.Coinbase, usdc[..(productId.Length + 1)], out instrument);
    }

    private static bool IsUsdcProduct(string productId) =>
        productId.Length > UsdcSuffix.Length && productId.EndsWith(UsdcSuffix, StringComparison.Ordinal);
}
