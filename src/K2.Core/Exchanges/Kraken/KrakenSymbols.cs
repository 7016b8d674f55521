using System.Collections.Frozen;
using K2.Core.Instruments;

namespace K2.Core.Exchanges.Kraken;

/// <summary>
/// Maps between registry instruments and Kraken's three spellings of a pair: the WebSocket v2 symbol
/// (<c>BTC/USD</c>, the registry's exchange symbol), the REST request pair (<c>XBTUSD</c>, the registry's rest
/// symbol) and the REST response key (<c>XXBTZUSD</c>). Kraken's legacy asset codes <c>XBT</c> and <c>XDG</c> are
/// read as <c>BTC</c> and <c>DOGE</c> wherever a symbol uses them (v2 itself refuses them).
/// </summary>
public static class KrakenSymbols
{
    public const char Separator = '/';

    /// <summary>A symbol longer than this is no Kraken pair; lookups stop there rather than allocate.</summary>
    public const int MaxSymbolLength = 32;

    /// <summary>Legacy asset codes and the codes v2 and the registry use for them.</summary>
    private static readonly FrozenDictionary<string, string> CanonicalByLegacyCode =
        new Dictionary<string, string>(StringComparer.Ordinal) { ["XBT"] = "BTC", ["XDG"] = "DOGE" }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> LegacyByCanonicalCode =
        CanonicalByLegacyCode.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>
    /// The crypto assets Kraken listed before 2017 whose asset id is <c>X</c> plus the code (<c>XXBT</c>, <c>XETH</c>):
    /// pairs of two such assets, or of one and a legacy fiat, keep the concatenated ids as their REST key.
    /// <c>XXDG</c> is one, yet its pairs are keyed by the altname (<c>XDGUSD</c>), as Kraken answers.
    /// </summary>
    private static readonly FrozenSet<string> LegacyCryptoCodes =
        new[] { "XBT", "ETH", "LTC", "XRP", "XLM", "ETC", "ZEC", "XMR", "REP", "MLN" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The fiat currencies whose asset id is <c>Z</c> plus the code (<c>ZUSD</c>).</summary>
    private static readonly FrozenSet<string> LegacyFiatCodes =
        new[] { "USD", "EUR", "GBP", "JPY", "CAD" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary><c>XBT</c> → <c>BTC</c>, <c>XDG</c> → <c>DOGE</c>; every other code is returned as it is.</summary>
    public static string ToCanonicalAsset(string code) => CanonicalByLegacyCode.GetValueOrDefault(code, code);

    /// <summary>The inverse of <see cref="ToCanonicalAsset"/>: the code Kraken's REST pairs use.</summary>
    public static string ToLegacyAsset(string code) => LegacyByCanonicalCode.GetValueOrDefault(code, code);

    /// <summary>The WebSocket v2 symbol K2 subscribes with: the registry's exchange symbol (<c>BTC/USD</c>).</summary>
    public static string WebSocketSymbol(Instrument instrument) => instrument.ExchangeSymbol;

    /// <summary>
    /// Finds the Kraken instrument of a v2 symbol without allocating: the registry's symbol exactly, or the same
    /// pair spelled with a legacy code (<c>XBT/USD</c> finds <c>BTC/USD</c>).
    /// </summary>
    public static bool TryGetInstrument(InstrumentRegistry registry, ReadOnlySpan<char> symbol, out Instrument instrument)
    {
        if (registry.TryGetByExchangeSymbol(Exchange.Kraken, symbol, out instrument))
        {
            return true;
        }

        var slash = symbol.IndexOf(Separator);
        if (slash <= 0 || slash == symbol.Length - 1 || symbol.Length > MaxSymbolLength)
        {
            return false;
        }

        var lookup = CanonicalByLegacyCode.GetAlternateLookup<ReadOnlySpan<char>>();
        var baseCode = symbol[..slash];
        var quoteCode = symbol[(slash + 1)..];
        var baseMapped = lookup.TryGetValue(baseCode, out var baseCanonical);
        var quoteMapped = lookup.TryGetValue(quoteCode, out var quoteCanonical);
        if (!baseMapped && !quoteMapped)
        {
            return false;
        }

        // "DOGE" is one character longer than "XDG"; twice that still fits beside the 32-character bound.
        Span<char> canonical = stackalloc char[MaxSymbolLength + 2];
        var length = 0;
        Append(canonical, ref length, baseMapped ? baseCanonical : baseCode);
        canonical[length++] = Separator;
        Append(canonical, ref length, quoteMapped ? quoteCanonical : quoteCode);
        return registry.TryGetByExchangeSymbol(Exchange.Kraken, canonical[..length], out instrument);
    }

    /// <summary>
    /// The <c>pair</c> to request from <c>/0/public/Trades</c>: the registry's rest symbol (<c>XBTUSD</c>), or the
    /// legacy codes of base and quote run together when the registry gives none.
    /// </summary>
    public static string RestPair(Instrument instrument) =>
        instrument.RestSymbol ?? ToLegacyAsset(instrument.BaseAsset) + ToLegacyAsset(instrument.QuoteAsset);

    /// <summary>
    /// The key Kraken answers a REST request under: the pair's asset ids run together for pairs of legacy assets
    /// (<c>XBTUSD</c> → <c>XXBTZUSD</c>, <c>ETHUSD</c> → <c>XETHZUSD</c>, <c>LTCEUR</c> → <c>XLTCZEUR</c>), the
    /// request pair otherwise (<c>SOLUSD</c>, <c>XDGUSD</c>).
    /// </summary>
    public static string RestResponseKey(Instrument instrument)
    {
        var baseCode = ToLegacyAsset(instrument.BaseAsset);
        var quoteCode = ToLegacyAsset(instrument.QuoteAsset);
        if (LegacyCryptoCodes.Contains(baseCode) && LegacyFiatCodes.Contains(quoteCode))
        {
            return $"X{baseCode}Z{quoteCode}";
        }

        if (LegacyCryptoCodes.Contains(baseCode) && LegacyCryptoCodes.Contains(quoteCode))
        {
            return $"X{baseCode}X{quoteCode}";
        }

        return RestPair(instrument);
    }

    /// <summary>
    /// True when a REST response key names this instrument: its response key (<c>XXBTZUSD</c>), its request pair
    /// (<c>XBTUSD</c>) or its v2 symbol (<c>BTC/USD</c>, the key Kraken uses when asked with that spelling).
    /// </summary>
    public static bool IsRestKeyOf(Instrument instrument, ReadOnlySpan<char> key) =>
        instrument.Exchange == Exchange.Kraken
        && (key.SequenceEqual(RestResponseKey(instrument)) || key.SequenceEqual(RestPair(instrument)) || key.SequenceEqual(instrument.ExchangeSymbol));

    /// <summary>Finds the Kraken instrument a REST response key names (see <see cref="IsRestKeyOf"/>).</summary>
    public static bool TryGetInstrumentByRestKey(InstrumentRegistry registry, ReadOnlySpan<char> key, out Instrument instrument)
    {
        foreach (var candidate in registry.ForExchange(Exchange.Kraken))
        {
            if (IsRestKeyOf(candidate, key))
            {
                instrument = candidate;
                return true;
            }
        }

        return TryGetInstrument(registry, key, out instrument);
    }

    private static void Append(Span<char> destination, ref int length, ReadOnlySpan<char> text)
    {
        text.CopyTo(destination[length..]);
        length += text.Length;
    }
}
