using System.Collections.Frozen;

namespace K2.Core.Instruments;

/// <summary>
/// The instruments K2 knows, indexed for the lookups the hot path needs: by canonical symbol (API, grains) and by
/// the exchange's own symbol (parsers). Immutable once built.
/// </summary>
public sealed class InstrumentRegistry
{
    private readonly FrozenDictionary<(Exchange, string), Instrument> _byCanonical;
    private readonly FrozenDictionary<Exchange, FrozenDictionary<string, Instrument>> _byExchangeSymbol;
    private readonly FrozenDictionary<Exchange, IReadOnlyList<Instrument>> _byExchange;

    public InstrumentRegistry(IEnumerable<Instrument> instruments)
    {
        All = [.. instruments];
        _byCanonical = All.ToFrozenDictionary(i => (i.Exchange, i.Symbol));
        _byExchange = ExchangeNames.All.ToFrozenDictionary(
            e => e,
            e => (IReadOnlyList<Instrument>)[.. All.Where(i => i.Exchange == e)]);
        _byExchangeSymbol = ExchangeNames.All.ToFrozenDictionary(
            e => e,
            e => All.Where(i => i.Exchange == e).ToFrozenDictionary(i => i.ExchangeSymbol, StringComparer.Ordinal));
    }

    public IReadOnlyList<Instrument> All { get; }

    public IReadOnlyList<Instrument> ForExchange(Exchange exchange) => _byExchange[exchange];

    public bool TryGet(Exchange exchange, string symbol, out Instrument instrument) =>
        _byCanonical.TryGetValue((exchange, symbol), out instrument!);

    /// <summary>Finds an instrument by the exchange's own symbol without allocating.</summary>
    public bool TryGetByExchangeSymbol(Exchange exchange, ReadOnlySpan<char> exchangeSymbol, out Instrument instrument) =>
        _byExchangeSymbol[exchange].GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(exchangeSymbol, out instrument!);
}
