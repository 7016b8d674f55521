using System.Collections.Frozen;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Instruments;
using K2.Simulator.Faults;
using K2.Simulator.Hosting;

namespace K2.Simulator.Binance;

/// <summary>
/// The simulated Binance spot exchange: which stream names exist (<c>&lt;symbol&gt;@trade</c> for each registry
/// instrument), which sessions are connected, and the REST request weight used. Printing fans out to sessions
/// through <see cref="Publish"/>; the faults only a venue can play fan out the same way.
/// </summary>
internal sealed class BinanceVenue : IExchangeVenue, IFaultableVenue
{
    private readonly InstrumentRegistry _registry;
    private readonly FrozenDictionary<string, string> _streamBySymbol;
    private readonly FrozenSet<string> _streams;
    private readonly Lock _gate = new();
    private BinanceStreamConnection[] _sessions = [];
    private long _lastSessionId;
    private long _malformedTrades;

    public BinanceVenue(InstrumentRegistry registry)
    {
        _registry = registry;
        var instruments = registry.ForExchange(Exchange.Binance);
        _streamBySymbol = instruments.ToFrozenDictionary(i => i.ExchangeSymbol, BinanceSymbols.TradeStream, StringComparer.Ordinal);
        _streams = _streamBySymbol.Values.ToFrozenSet(StringComparer.Ordinal);
        AnySymbol = instruments.Count > 0 ? instruments[0].ExchangeSymbol : BinanceMalformedFrames.UnknownSymbol;
    }

    public Exchange Exchange => Exchange.Binance;

    public IReadOnlyList<ISimulatedConnection> Connections => Volatile.Read(ref _sessions);

    /// <summary>The REQUEST_WEIGHT the (single) client IP used: 6000 per rolling minute.</summary>
    public BinanceRequestWeight RequestWeight { get; } =
        new(BinanceEndpoints.MaxRequestWeightPerMinute, BinanceEndpoints.RequestWeightInterval);

    /// <summary>A symbol the venue lists, for frames on a connection that carries no stream.</summary>
    public string AnySymbol { get; }

    /// <summary>Binance stream names are lower case and exact: <c>btcusdt@trade</c>, not <c>BTCUSDT@trade</c>.</summary>
    public bool IsTradeStream(string streamName) => _streams.Contains(streamName);

    public bool TryGetInstrument(string exchangeSymbol, out Instrument instrument) =>
        _registry.TryGetByExchangeSymbol(Exchange.Binance, exchangeSymbol, out instrument);

    public long NextSessionId() => Interlocked.Increment(ref _lastSessionId);

    /// <summary>The trade id of the next malformed trade: 1 to 999, never a printed trade's.</summary>
    public long NextMalformedTradeId() => BinanceMalformedFrames.TradeId(Interlocked.Increment(ref _malformedTrades) - 1);

    public void Publish(PrintedTrade trade)
    {
        var stream = _streamBySymbol[trade.ExchangeSymbol];
        foreach (var session in Volatile.Read(ref _sessions))
        {
            session.Offer(trade, stream);
        }
    }

    /// <summary>
    /// Announces <c>serverShutdown</c> on every connection open now, then closes each after the shutdown grace.
    /// Connections opened afterwards are not affected.
    /// </summary>
    public void AnnounceShutdown()
    {
        foreach (var session in Volatile.Read(ref _sessions))
        {
            session.AnnounceShutdown();
        }
    }

    public void SendMalformedFrames(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        foreach (var session in Volatile.Read(ref _sessions))
        {
            session.QueueMalformedFrames(count);
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
