using System.Collections.Frozen;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Instruments;
using K2.Simulator.Faults;
using K2.Simulator.Hosting;

namespace K2.Simulator.Coinbase;

/// <summary>
/// The simulated Coinbase Advanced Trade exchange: which products exist, the recent trades a snapshot shows, and which
/// sessions are connected. Printing fans out to sessions through <see cref="Publish"/>.
/// </summary>
/// <remarks>
/// Products are the registry's Coinbase instruments under their market-data ids: <c>X-USDC</c> instruments trade as
/// <c>X-USD</c> (Coinbase's USDC aliasing), and a subscribe or REST request may name either id. A registry should not
/// list both <c>X-USD</c> and <c>X-USDC</c>: on Coinbase they are one book, here they would be two tapes under one id.
/// </remarks>
internal sealed class CoinbaseVenue : IExchangeVenue, IFaultableVenue
{
    /// <summary>
    /// Trades per product in the snapshot that follows a subscribe. Coinbase does not document the size; 50 matches
    /// Kraken's documented trade snapshot and is ample for a client to bridge a reconnect.
    /// </summary>
    public const int SnapshotTrades = 50;

    private readonly FrozenDictionary<string, string> _productByRequestedId;
    private readonly FrozenDictionary<string, string[]> _symbolsByProduct;
    private readonly Dictionary<string, Queue<PrintedTrade>> _recent;
    private readonly Lock _gate = new();
    private CoinbaseStreamConnection[] _sessions = [];
    private long _lastSessionId;
    private long _malformed;

    public CoinbaseVenue(InstrumentRegistry registry, FaultPlan faults, TimeProvider time)
    {
        Faults = faults;
        StartedTimestamp = time.GetTimestamp();
        var instruments = registry.ForExchange(Exchange.Coinbase);
        _symbolsByProduct = instruments
            .GroupBy(i => CoinbaseSymbols.MarketDataProductId(i), StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(i => i.ExchangeSymbol).ToArray(), StringComparer.Ordinal);
        var requested = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var product in _symbolsByProduct.Keys)
        {
            requested[product] = product;
            if (product.EndsWith(CoinbaseSymbols.UsdSuffix, StringComparison.Ordinal))
            {
                requested[product + "C"] = product;
            }
        }

        _productByRequestedId = requested.ToFrozenDictionary(StringComparer.Ordinal);
        _recent = _symbolsByProduct.Keys.ToDictionary(p => p, _ => new Queue<PrintedTrade>(SnapshotTrades + 1), StringComparer.Ordinal);
        AnyProduct = _symbolsByProduct.Keys.Order(StringComparer.Ordinal).FirstOrDefault() ?? CoinbaseMalformedFrames.UnknownProduct;
    }

    public Exchange Exchange => Exchange.Coinbase;

    public FaultPlan Faults { get; }

    /// <summary>When the venue started, for the heartbeat's monotonic clock reading.</summary>
    public long StartedTimestamp { get; }

    /// <summary>A product the venue lists, for frames on a connection that subscribes to none.</summary>
    public string AnyProduct { get; }

    public IReadOnlyList<ISimulatedConnection> Connections => Volatile.Read(ref _sessions);

    public long NextSessionId() => Interlocked.Increment(ref _lastSessionId);

    /// <summary>Numbers the malformed trades, whose ids are text and so never a printed trade's.</summary>
    public long NextMalformedNumber() => Interlocked.Increment(ref _malformed);

    /// <summary>The market-data product a requested id names (<c>BTC-USDC</c> → <c>BTC-USD</c>); false for none listed.</summary>
    public bool TryResolveProduct(string requestedId, out string product) =>
        _productByRequestedId.TryGetValue(requestedId, out product!);

    /// <summary>The exchange symbols whose trades a product carries (one, unless the registry lists X-USD and X-USDC).</summary>
    public IReadOnlyList<string> SymbolsOf(string product) => _symbolsByProduct[product];

    public void Publish(PrintedTrade trade)
    {
        var product = CoinbaseSymbols.MarketDataProductId(trade.ExchangeSymbol);
        lock (_gate)
        {
            var recent = _recent[product];
            recent.Enqueue(trade);
            if (recent.Count > SnapshotTrades)
            {
                recent.Dequeue();
            }

            foreach (var session in _sessions)
            {
                session.Offer(trade, product);
            }
        }
    }

    /// <summary>
    /// Subscribes a session under the lock printing takes, so every trade is either in the session's snapshot (printed
    /// before) or offered to it (printed after), exactly once.
    /// </summary>
    public void Subscribe(CoinbaseStreamConnection session, IReadOnlyList<string> products)
    {
        lock (_gate)
        {
            session.AddProducts(products, product => [.. _recent[product].Reverse()]);
        }
    }

    public void SendMalformedFrames(int count)
    {
        foreach (var session in Volatile.Read(ref _sessions))
        {
            session.SendMalformedFrames(count);
        }
    }

    public void Add(CoinbaseStreamConnection session)
    {
        lock (_gate)
        {
            _sessions = [.. _sessions, session];
        }
    }

    public void Remove(CoinbaseStreamConnection session)
    {
        lock (_gate)
        {
            _sessions = [.. _sessions.Where(s => s != session)];
        }
    }
}
