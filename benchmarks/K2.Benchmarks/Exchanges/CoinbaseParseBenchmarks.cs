using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Benchmarks.Exchanges;

/// <summary>
/// Parse + normalize of Coinbase Advanced Trade market_trades messages, reported per trade: one trade per message,
/// and a 250 ms batch of ten (string ids, decimal strings, RFC 3339 times).
/// </summary>
[MemoryDiagnoser]
public class CoinbaseParseBenchmarks
{
    private const int Frames = 256;
    private const int BatchSize = 10;
    private readonly List<Trade> _trades = new(BatchSize);
    private readonly List<TradeRejection> _rejections = [];
    private byte[][] _single = [];
    private byte[][] _batches = [];
    private InstrumentRegistry _registry = null!;
    private UnixMicros _receivedAt;

    [GlobalSetup]
    public void Setup()
    {
        _registry = InstrumentRegistryLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "config", "instruments.yaml"));
        _receivedAt = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));
        _single = Build(tradesPerFrame: 1);
        _batches = Build(BatchSize);
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public int MessageOfOneTrade() => ParseAll(_single);

    [Benchmark(OperationsPerInvoke = Frames * BatchSize)]
    public int MessageOfTenTrades() => ParseAll(_batches);

    private int ParseAll(byte[][] frames)
    {
        var parsed = 0;
        foreach (var frame in frames)
        {
            _trades.Clear();
            CoinbaseTradeParser.Parse(frame, _receivedAt, _registry, CoinbaseSideConvention.Taker, _trades, _rejections);
            parsed += _trades.Count;
        }

        return parsed;
    }

    private byte[][] Build(int tradesPerFrame)
    {
        var instruments = _registry.ForExchange(Exchange.Coinbase);
        var start = new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc);
        var id = 612_345_678L;
        var frames = Enumerable.Range(0, Frames).Select(f =>
        {
            var product = instruments[f % instruments.Count].ExchangeSymbol;
            var trades = Enumerable.Range(0, tradesPerFrame).Select(t =>
            {
                var n = (f * tradesPerFrame) + t;
                var time = start.AddTicks(n * 13L).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
                return $$"""{"trade_id":"{{id++}}","product_id":"{{product}}","price":"{{87_000 + (n % 997)}}.{{n % 100:00}}","size":"0.{{n % 1000:000}}1","side":"{{(n % 2 == 0 ? "BUY" : "SELL")}}","time":"{{time}}"}""";
            });
            return Encoding.UTF8.GetBytes(
                $$"""{"channel":"market_trades","client_id":"","timestamp":"2026-11-22T00:00:01.123456789Z","sequence_num":{{f}},"events":[{"type":"update","trades":[{{string.Join(',', trades)}}]}]}""");
        }).ToArray();

        if (ParseAll(frames) != Frames * tradesPerFrame || _rejections.Count != 0)
        {
            throw new InvalidOperationException($"benchmark frames do not parse cleanly: {_rejections.FirstOrDefault()?.Detail}");
        }

        return frames;
    }
}
