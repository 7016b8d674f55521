using System.Collections.Frozen;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Instruments;
using K2.Simulator.Hosting;

namespace K2.Simulator.Binance;

/// <summary>
/// The simulated Binance spot exchange: which stream names exist (<c>&lt;symbol&gt;@trade</c> for each registry
/// instrument) and which sessions are connected. Printing fans out to sessions through <see cref="Publish"/>.
/// </summary>
internal sealed class BinanceVenue : IExchangeVenue
{
    private readonly InstrumentRegistry _registry;
    private readonly FrozenDictionary<string, string> _streamBySymbol;
    private readonly FrozenSet<string> _streams;
    private readonly Lock _gate = new();
    private BinanceStreamConnection[] _sessions = [];
    private long _lastSessionId;

    public BinanceVenue(InstrumentRegistry registry)
    {
        _registry = registry;
        var instruments = registry.ForExchange(Exchange.Binance);
        _streamBySymbol = instruments.ToFrozenDictionary(i => i.ExchangeSymbol, BinanceSymbols.TradeStream, StringComparer.Ordinal);
        _streams = _streamBySymbol.Values.ToFrozenSet(StringComparer.Ordinal);
    }

    public Exchange Exchange => Exchange.Binance;

    public IReadOnlyList<ISimulatedConnection> Connections => Volatile.Read(ref _sessions);

    /// <summary>Binance stream names are lower case and exact: <c>btcusdt@trade</c>, not <c>BTCUSDT@trade</c>.</summary>
    public bool IsTradeStream(string streamName) => _streams.Contains(streamName);

    public bool TryGetInstrument(string exchangeSymbol, out Instrument instrument) =>
        _registry.TryGetByExchangeSymbol(Exchange.Binance, exchangeSymbol, out instrument);

    public long NextSessionId() => Interlocked.Increment(ref _lastSessionId);

    public void Publish(PrintedTrade trade)
    {
        var stream = _streamBySymbol[trade.ExchangeSymbol];
        foreach (var session in Volatile.Read(ref _sessions))
        {
            session.Offer(trade, stream);
        }
    }

    public void Add(BinanceStreamConnection session)
    {
        lock (_gate)
        {
            _sessions = [.. _sessions, session];
        }
    }

    public void Remove(BinanceStreamConnection session)
    {
        lock (_gate)
        {
            _sessions = [.. _sessions.Where(s => s != session)];
        }
    }
}
