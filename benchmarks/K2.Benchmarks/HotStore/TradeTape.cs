using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Benchmarks.HotStore;

/// <summary>
/// Trades of one instrument as an exchange prints them: sequential numeric ids, a price random walk in whole ticks at
/// the instrument's price scale, quantities in whole steps at its quantity scale, both sides, and an exchange time a
/// few milliseconds before receipt. Allocation-free, so the harness measures the writer rather than itself.
/// </summary>
internal sealed class TradeTape
{
    /// <summary>Instruments per exchange: four on each of the three venues, twelve in all.</summary>
    public const int InstrumentsPerExchange = 4;

    /// <summary>Ids in the range Binance prints today (ten digits), so trade_id strings have realistic length.</summary>
    private const long FirstTradeId = 4_000_000_000;

    private readonly Random _random;
    private long _nextTradeId = FirstTradeId;
    private long _priceTicks;

    private TradeTape(Instrument instrument, int seed)
    {
        Instrument = instrument;
        _random = new Random(seed);
        _priceTicks = _random.NextInt64(100_000, 10_000_000);
    }

    public Instrument Instrument { get; }

    /// <summary>One tape for each of the first <see cref="InstrumentsPerExchange"/> instruments of every exchange in the registry.</summary>
    public static TradeTape[] ForRegistry()
    {
        var registry = InstrumentRegistryLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "config", "instruments.yaml"));
        return [.. ExchangeNames.All
            .SelectMany(exchange => registry.ForExchange(exchange).Take(InstrumentsPerExchange))
            .Select((instrument, i) => new TradeTape(instrument, seed: i))];
    }

    public Trade Next(UnixMicros receiptTime)
    {
        var maxStep = Math.Max(1, _priceTicks / 10_000);
        _priceTicks = Math.Max(1, _priceTicks + _random.NextInt64(-maxStep, maxStep + 1));
        var quantitySteps = _random.NextInt64(1, 100_000);
        var exchangeDelayMicros = _random.Next(1_000, 30_000);
        return new Trade(
            Instrument,
            TradeId.FromNumber(_nextTradeId++),
            Scaled(_priceTicks, Instrument.PriceScale),
            Scaled(quantitySteps, Instrument.QuantityScale),
            _random.Next(2) == 0 ? TradeSide.Buy : TradeSide.Sell,
            new UnixMicros(receiptTime.Value - exchangeDelayMicros),
            receiptTime);
    }

    /// <summary><paramref name="units"/> × 10^-scale, keeping the scale as an exchange prints it ("87012.30").</summary>
    private static decimal Scaled(long units, int scale) =>
        new((int)(units & uint.MaxValue), (int)(units >> 32), 0, isNegative: false, (byte)scale);
}
