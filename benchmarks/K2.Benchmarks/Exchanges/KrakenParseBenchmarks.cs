using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Benchmarks.Exchanges;

/// <summary>
/// Parse + normalize of Kraken WS v2 trade updates, reported per trade. Kraken batches: an update carries one or more
/// trades of one symbol, with prices and quantities as JSON numbers read exactly as decimals.
/// </summary>
[MemoryDiagnoser]
public class KrakenParseBenchmarks
{
    private const int Frames = 256;
    private const int BurstSize = 10;
    private readonly List<Trade> _trades = new(BurstSize);
    private readonly List<TradeRejection> _rejections = [];
    private byte[][] _single = [];
    private byte[][] _bursts = [];
    private InstrumentRegistry _registry = null!;
    private UnixMicros _receivedAt;

    [GlobalSetup]
    public void Setup()
    {
        _registry = InstrumentRegistryLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "config", "instruments.yaml"));
        _receivedAt = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));
        _single = Build(tradesPerFrame: 1);
        _bursts = Build(BurstSize);
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public int UpdateOfOneTrade() => ParseAll(_single);

    [Benchmark(OperationsPerInvoke = Frames * BurstSize)]
    public int UpdateOfTenTrades() => ParseAll(_bursts);

    private int ParseAll(byte[][] frames)
    {
        var parsed = 0;
        foreach (var frame in frames)
        {
            _trades.Clear();
            KrakenV2TradeParser.Parse(frame, _receivedAt, _registry, _trades, _rejections);
            parsed += _trades.Count;
        }

        return parsed;
    }

    private byte[][] Build(int tradesPerFrame)
    {
        var instruments = _registry.ForExchange(Exchange.Kraken);
        var start = new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc);
        var id = 4_665_906L;
        var frames = Enumerable.Range(0, Frames).Select(f =>
        {
            var symbol = instruments[f % instruments.Count].ExchangeSymbol;
            var trades = Enumerable.Range(0, tradesPerFrame).Select(t =>
            {
                var n = (f * tradesPerFrame) + t;
                var time = start.AddTicks(n * 13L).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
                return $$"""{"symbol":"{{symbol}}","side":"{{(n % 2 == 0 ? "buy" : "sell")}}","price":{{87_000 + (n % 997)}}.{{n % 10}},"qty":0.{{n % 1000:000}}46326,"ord_type":"limit","trade_id":{{id++}},"timestamp":"{{time}}"}""";
            });
            return Encoding.UTF8.GetBytes($$"""{"channel":"trade","type":"update","data":[{{string.Join(',', trades)}}]}""");
        }).ToArray();

        // A benchmark of frames that fail to parse would measure the wrong thing.
        if (ParseAll(frames) != Frames * tradesPerFrame || _rejections.Count != 0)
        {
            throw new InvalidOperationException($"benchmark frames do not parse cleanly: {_rejections.FirstOrDefault()?.Detail}");
        }

        return frames;
    }
}
