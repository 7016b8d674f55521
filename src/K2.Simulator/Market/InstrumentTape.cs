using System.Text;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Simulator.Market;

/// <summary>
/// The trade tape of one instrument: its own random stream (so adding a symbol never reshuffles another's trades),
/// sequential ids, a price random walk in whole ticks and quantities in whole steps, so every value is exact at the
/// instrument's scales.
/// </summary>
internal sealed class InstrumentTape
{
    /// <summary>The first price has six significant digits, like most real tick sizes give.</summary>
    private const int MinStartTicks = 100_000;
    private const int MaxStartTicks = 1_000_000;

    /// <summary>Each trade moves the price by up to one basis point (at least one tick).</summary>
    private const long TicksPerMaxStep = 10_000;

    /// <summary>Quantities are 1 to 999 units of 10^-3 (or of one step, for coarser quantity scales).</summary>
    private const int MaxQuantityUnits = 1_000;
    private const int QuantityUnitScale = 3;

    // FNV-1a, 64 bit: a stable hash of the instrument's name (string.GetHashCode is randomized per process).
    private const ulong FnvOffsetBasis = 14_695_981_039_346_656_037;
    private const ulong FnvPrime = 1_099_511_628_211;

    private readonly Random _random;
    private readonly double _tradesPerSecond;
    private readonly long _quantityStepsPerUnit;
    private long _nextTradeId;
    private long _priceTicks;
    private long _lastTradeTime = long.MinValue;
    private double _due;

    // firstTradeId: ids run on from here. The market starts them at its start time in milliseconds, so a restarted
    // simulator keeps printing higher ids, as a real exchange does; below 1,000 trades per second per symbol a run
    // never reaches the next start's ids.
    public InstrumentTape(Instrument instrument, long firstTradeId, int seed, double tradesPerSecond)
    {
        Instrument = instrument;
        _random = new Random(InstrumentSeed(instrument, seed));
        _tradesPerSecond = tradesPerSecond;
        _nextTradeId = firstTradeId;
        _priceTicks = _random.NextInt64(MinStartTicks, MaxStartTicks);
        _quantityStepsPerUnit = (long)Math.Pow(10, Math.Max(0, instrument.QuantityScale - QuantityUnitScale));
    }

    public Instrument Instrument { get; }

    /// <summary>How many trades fall due over <paramref name="elapsed"/>; fractions carry over to the next call.</summary>
    public int TakeDue(TimeSpan elapsed)
    {
        _due += _tradesPerSecond * elapsed.TotalSeconds;
        var due = (int)Math.Floor(_due);
        _due -= due;
        return due;
    }

    public PrintedTrade Print(UnixMicros now)
    {
        var maxStep = Math.Max(1, _priceTicks / TicksPerMaxStep);
        _priceTicks = Math.Max(1, _priceTicks + _random.NextInt64(-maxStep, maxStep + 1));
        var quantitySteps = _random.Next(1, MaxQuantityUnits) * _quantityStepsPerUnit;
        var side = _random.Next(2) == 0 ? TradeSide.Buy : TradeSide.Sell;

        // Several trades in one tick share the clock's reading; keep times strictly increasing, one µs apart.
        _lastTradeTime = Math.Max(now.Value, _lastTradeTime + 1);
        return new PrintedTrade(
            Instrument.Exchange,
            Instrument.ExchangeSymbol,
            _nextTradeId++,
            Scaled(_priceTicks, Instrument.PriceScale),
            Scaled(quantitySteps, Instrument.QuantityScale),
            side,
            new UnixMicros(_lastTradeTime));
    }

    /// <summary><paramref name="units"/> × 10^-scale as a decimal that keeps the scale ("43250.10", not "43250.1").</summary>
    private static decimal Scaled(long units, int scale) =>
        new((int)(units & uint.MaxValue), (int)(units >> 32), 0, isNegative: false, (byte)scale);

    private static int InstrumentSeed(Instrument instrument, int seed)
    {
        var hash = FnvOffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes($"{instrument.Exchange.ToName()}/{instrument.ExchangeSymbol}"))
        {
            hash = (hash ^ b) * FnvPrime;
        }

        hash ^= (uint)seed;
        return (int)(hash ^ (hash >> 32));
    }
}
