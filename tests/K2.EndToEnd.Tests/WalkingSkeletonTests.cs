using System.Globalization;
using System.Text.Json;
using K2.Core;
using K2.Core.Instruments;
using K2.Simulator;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>
/// The walking skeleton end to end: simulated Binance → exchange grain → instrument grains → batched writer →
/// embedded ClickHouse → REST, with K2 as a separate process exactly as a user runs it.
/// </summary>
public sealed class WalkingSkeletonTests(ITestOutputHelper output)
{
    private const double TradesPerSecond = 200;
    /// <summary>About 2,000 trades over the 12 symbols: the exact comparison needs no more (it was 20 s).</summary>
    private static readonly TimeSpan TradingTime = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Every_trade_the_simulator_prints_is_served_by_the_api_exactly_once_with_equal_values()
    {
        var ct = TestContext.Current.CancellationToken;
        var registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
        var instruments = registry.ForExchange(Exchange.Binance);
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { Seed = 7, TradesPerSecond = TradesPerSecond, StartPaused = true }, registry, null, ct);
        using var data = new TempDirectory("k2-e2e");
        await using var k2 = K2Process.Start(data.Path, [], new Dictionary<string, string>
        {
            ["K2__Exchanges__Binance__WebSocketBase"] = simulator.BinanceWebSocketBase.ToString(),
            ["K2__Exchanges__Binance__RestBase"] = simulator.BinanceRestBase.ToString(),
        });

        try
        {
            await k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
            // The market opens once K2 listens to every symbol, so "every trade printed" is every trade K2 could see.
            await Eventually.TrueAsync(
                () => simulator.Sessions.Any(s => s.Exchange == Exchange.Binance && s.Streams.Count == instruments.Count),
                TimeSpan.FromSeconds(30), "K2 did not subscribe to every Binance symbol.", ct);

            simulator.Resume();
            await Task.Delay(TradingTime, ct); // the scenario itself: live trading, not a synchronization wait
            simulator.Pause();

            var printed = instruments.ToDictionary(i => i.Symbol, i => simulator.GroundTruth.For(Exchange.Binance, i.ExchangeSymbol));
            var total = printed.Values.Sum(t => t.Count);
            output.WriteLine($"Simulator printed {total} trades over {instruments.Count} symbols in {TradingTime.TotalSeconds} s.");
            total.ShouldBeGreaterThanOrEqualTo((int)(100 * TradingTime.TotalSeconds), "the scenario needs at least 100 trades/s");
            printed.Values.Count(t => t.Count > 0).ShouldBe(instruments.Count, "every symbol should have traded");

            // Ingest is asynchronous: wait until the API serves as many trades as were printed, then compare exactly.
            var served = new Dictionary<string, List<JsonElement>>();
            await Eventually.TrueAsync(async attempt =>
            {
                foreach (var instrument in instruments)
                {
                    served[instrument.Symbol] = await GetTradesAsync(k2, instrument.Symbol, attempt);
                }

                return instruments.All(i => served[i.Symbol].Count >= printed[i.Symbol].Count);
            }, TimeSpan.FromSeconds(30), "the API did not catch up with the simulator", ct);

            foreach (var instrument in instruments)
            {
                var expected = printed[instrument.Symbol].ToDictionary(t => t.TradeId.ToString(CultureInfo.InvariantCulture));
                var actual = served[instrument.Symbol];
                var ids = actual.Select(t => t.GetProperty("trade_id").GetString()!).ToList();
                ids.Distinct().Count().ShouldBe(ids.Count, $"{instrument.Symbol}: a trade was served twice");
                ids.Order().ShouldBe(expected.Keys.Order(), $"{instrument.Symbol}: served trade ids differ from printed ones");

                foreach (var trade in actual)
                {
                    var truth = expected[trade.GetProperty("trade_id").GetString()!];
                    trade.GetProperty("exchange").GetString().ShouldBe("binance");
                    trade.GetProperty("symbol").GetString().ShouldBe(instrument.Symbol);
                    trade.GetProperty("raw_symbol").GetString().ShouldBe(instrument.ExchangeSymbol);
                    decimal.Parse(trade.GetProperty("price").GetString()!, CultureInfo.InvariantCulture).ShouldBe(truth.Price);
                    decimal.Parse(trade.GetProperty("quantity").GetString()!, CultureInfo.InvariantCulture).ShouldBe(truth.Quantity);
                    trade.GetProperty("side").GetString().ShouldBe(truth.TakerSide == Core.Trades.TradeSide.Buy ? "buy" : "sell");
                    DateTimeOffset.Parse(trade.GetProperty("exchange_ts").GetString()!, CultureInfo.InvariantCulture)
                        .ShouldBe(truth.TradeTime.ToDateTimeOffset());
                }
            }

            (await k2.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0, "k2 should exit cleanly on SIGTERM");
        }
        finally
        {
            output.WriteLine(k2.Output);
        }
    }

    private static async Task<List<JsonElement>> GetTradesAsync(K2Process k2, string symbol, CancellationToken ct)
    {
        var body = await k2.GetJsonAsync($"/v1/trades?exchange=binance&symbol={symbol}&limit=10000", ct);
        return [.. body.GetProperty("trades").EnumerateArray()];
    }
}
