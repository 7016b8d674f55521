using System.Collections.Frozen;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Simulator.Faults;
using K2.Simulator.Hosting;

namespace K2.Simulator.Kraken;

/// <summary>
/// The simulated Kraken spot exchange: its instruments by v2 symbol and by REST pair, its connections, and the
/// batching of printed trades into update messages. The market prints a symbol's trades of one tick back to back, so
/// consecutive trades of one symbol form one batch; a batch goes out when a trade of another symbol arrives, or
/// right after the tick (a zero-delay timer on the injected clock, which a <c>ManualTimeProvider</c> fires within
/// the same <c>Advance</c>, after the tick). Trades of one tick therefore reach a client as one update message.
/// </summary>
internal sealed class KrakenVenue : IExchangeVenue, IFaultableVenue
{
    private readonly FrozenDictionary<string, Instrument> _bySymbol;
    private readonly FrozenDictionary<string, (Instrument Instrument, string ResponseKey)> _byRestPair;
    private readonly Lock _connectionsGate = new();
    private KrakenStreamConnection[] _connections = [];
    private long _lastConnectionId;
    private long _malformedTrades;

    // The batch being collected: trades of one symbol, in print order. Flushed under the gate, so batches leave in order.
    private readonly Lock _batchGate = new();
    private readonly List<PrintedTrade> _batch = [];
    private readonly ITimer _flushTimer;
    private Instrument? _batchInstrument;

    public KrakenVenue(InstrumentRegistry registry, FaultPlan faults, GroundTruth groundTruth, SimulatorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (options.KrakenHeartbeatInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.KrakenHeartbeatInterval, $"{nameof(SimulatorOptions.KrakenHeartbeatInterval)} must be positive.");
        }

        var instruments = registry.ForExchange(Exchange.Kraken);
        _bySymbol = instruments.ToFrozenDictionary(i => i.ExchangeSymbol, StringComparer.Ordinal);
        // Kraken answers a request by its REST pair or its legacy key under the legacy key, and one by v2 symbol under that symbol.
        _byRestPair = instruments
            .SelectMany(i => new[]
            {
                (Pair: KrakenSymbols.RestPair(i), Entry: (i, KrakenSymbols.RestResponseKey(i))),
                (Pair: KrakenSymbols.RestResponseKey(i), Entry: (i, KrakenSymbols.RestResponseKey(i))),
                (Pair: i.ExchangeSymbol, Entry: (i, i.ExchangeSymbol)),
            })
            .DistinctBy(p => p.Pair, StringComparer.Ordinal)
            .ToFrozenDictionary(p => p.Pair, p => p.Entry, StringComparer.Ordinal);
        AnyInstrument = instruments.Count > 0
            ? instruments[0]
            : new Instrument(Exchange.Kraken, "K2UNKNOWN-USD", KrakenMalformedFrames.UnknownSymbol, "K2UNKNOWN", "USD", 2, 8);
        Faults = faults;
        GroundTruth = groundTruth;
        HeartbeatInterval = options.KrakenHeartbeatInterval;
        Time = time;
        _flushTimer = time.CreateTimer(static state => ((KrakenVenue)state!).FlushBatch(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public Exchange Exchange => Exchange.Kraken;

    public IReadOnlyList<ISimulatedConnection> Connections => Volatile.Read(ref _connections);

    public FaultPlan Faults { get; }

    public GroundTruth GroundTruth { get; }

    public TimeSpan HeartbeatInterval { get; }

    public TimeProvider Time { get; }

    /// <summary>An instrument the venue lists, for malformed frames on a connection that subscribes to none.</summary>
    public Instrument AnyInstrument { get; }

    /// <summary>The instrument of a v2 symbol, spelled exactly (v2 refuses the legacy <c>XBT/USD</c>).</summary>
    public bool TryGetInstrument(string symbol, out Instrument instrument) => _bySymbol.TryGetValue(symbol, out instrument!);

    /// <summary>The instrument of a REST <c>pair</c> and the key its trades are answered under.</summary>
    public bool TryGetRestPair(string pair, out Instrument instrument, out string responseKey)
    {
        var found = _byRestPair.TryGetValue(pair, out var entry);
        (instrument, responseKey) = found ? entry : (null!, null!);
        return found;
    }

    public long NextConnectionId() => Interlocked.Increment(ref _lastConnectionId);

    /// <summary>The trade id of the next malformed trade: 1 to 999, never a printed trade's.</summary>
    public long NextMalformedTradeId() => KrakenMalformedFrames.TradeId(Interlocked.Increment(ref _malformedTrades) - 1);

    public void Publish(PrintedTrade trade)
    {
        lock (_batchGate)
        {
            if (_batch.Count > 0 && !string.Equals(_batch[0].ExchangeSymbol, trade.ExchangeSymbol, StringComparison.Ordinal))
            {
                FlushLocked();
            }

            if (_batch.Count == 0)
            {
                _batchInstrument = _bySymbol[trade.ExchangeSymbol];
                _flushTimer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }

            _batch.Add(trade);
        }
    }

    public void SendMalformedFrames(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        foreach (var connection in Volatile.Read(ref _connections))
        {
            connection.QueueMalformedFrames(count);
        }
    }

    public void Add(KrakenStreamConnection connection)
    {
        lock (_connectionsGate)
        {
            _connections = [.. _connections, connection];
        }
    }

    public void Remove(KrakenStreamConnection connection)
    {
        lock (_connectionsGate)
        {
            _connections = [.. _connections.Where(c => c != connection)];
        }
    }

    private void FlushBatch()
    {
        lock (_batchGate)
        {
            FlushLocked();
        }
    }

    private void FlushLocked()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        PrintedTrade[] trades = [.. _batch];
        _batch.Clear();
        foreach (var connection in Volatile.Read(ref _connections))
        {
            connection.OfferUpdate(_batchInstrument!, trades);
        }
    }
}
