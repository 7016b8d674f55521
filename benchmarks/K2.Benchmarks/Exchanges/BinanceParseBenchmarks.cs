using System.Text;
using BenchmarkDotNet.Attributes;
using K2.Core;
using K2.Core.Exchanges;
using K2.Core.Exchanges.Binance;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Benchmarks.Exchanges;

/// <summary>
/// Parse + normalize of Binance trade frames, one trade each (the target: at least 1M trades/s per core).
/// Frames cycle over every registry symbol with distinct ids, prices and quantities, as a live stream does.
/// </summary>
[MemoryDiagnoser]
public class BinanceParseBenchmarks
{
    private const int Frames = 1_024;
    private readonly List<Trade> _trades = new(1);
    private readonly List<TradeRejection> _rejections = [];
    private byte[][] _raw = [];
    private byte[][] _combined = [];
    private InstrumentRegistry _registry = null!;
    private ITradeFrameNormalizer _normalizer = null!;
    private UnixMicros _receivedAt;

    [GlobalSetup]
    public void Setup()
    {
        _registry = InstrumentRegistryLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "config", "instruments.yaml"));
        _normalizer = new BinanceFrameNormalizer(_registry, BinanceTimeUnit.Microsecond);
        var instruments = _registry.ForExchange(Exchange.Binance);
        const long Time = 1_795_305_600_000_000;
        _receivedAt = new UnixMicros(Time + 1_000_000);
        string Event(int i)
        {
            var symbol = instruments[i % instruments.Count].ExchangeSymbol;
            return $$"""{"e":"trade","E":{{Time + i + 1}},"s":"{{symbol}}","t":{{4_000_000_000L + i}},"p":"{{87_000 + (i % 997)}}.{{i % 100:00}}000000","q":"0.{{i % 1000:000}}10000","T":{{Time + i}},"m":{{(i % 2 == 0 ? "true" : "false")}},"M":true}""";
        }

        _raw = [.. Enumerable.Range(0, Frames).Select(i => Encoding.UTF8.GetBytes(Event(i)))];
        _combined = [.. Enumerable.Range(0, Frames).Select(i =>
            Encoding.UTF8.GetBytes($$"""{"stream":"{{instruments[i % instruments.Count].ExchangeSymbol.ToLowerInvariant()}}@trade","data":{{Event(i)}}}"""))];
    }

    /// <summary>Raw-stream frames (<c>/ws/&lt;symbol&gt;@trade</c>).</summary>
    [Benchmark(OperationsPerInvoke = Frames)]
    public int RawFrame()
    {
        var parsed = 0;
        foreach (var frame in _raw)
        {
            parsed += BinanceTradeParser.Parse(frame, _receivedAt, BinanceTimeUnit.Microsecond, _registry).Kind == BinanceFrameKind.Trade ? 1 : 0;
        }

        return parsed;
    }

    /// <summary>Combined-stream frames, as K2's session receives them.</summary>
    [Benchmark(OperationsPerInvoke = Frames)]
    public int CombinedFrame()
    {
        var parsed = 0;
        foreach (var frame in _combined)
        {
            parsed += BinanceTradeParser.Parse(frame, _receivedAt, BinanceTimeUnit.Microsecond, _registry).Kind == BinanceFrameKind.Trade ? 1 : 0;
        }

        return parsed;
    }

    /// <summary>Through the exchange-neutral normalizer (<c>k2 normalize</c>, replays).</summary>
    [Benchmark(OperationsPerInvoke = Frames)]
    public int CombinedFrameNormalized()
    {
        _trades.Clear();
        foreach (var frame in _combined)
        {
            _normalizer.Normalize(frame, _receivedAt, _trades, _rejections);
        }

        return _trades.Count;
    }
}
