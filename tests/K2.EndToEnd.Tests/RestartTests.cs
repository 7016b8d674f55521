using System.Globalization;
using System.Text.Json;
using K2.Core;
using K2.Core.Instruments;
using K2.Simulator;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>
/// A stop is not a loss: K2 is stopped while gaps are still waiting to be fetched and the exchange keeps trading while
/// it is down. The restarted process, on the same data directory, must find both the old holes (from the hot store)
/// and the trades of the downtime (catch-up from the last stored trade), and serve every trade exactly once.
/// </summary>
public sealed class RestartTests(ITestOutputHelper output)
{
    private const double TradesPerSecond = 120;
    private static readonly InstrumentRegistry Registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    [Fact]
    public async Task Gaps_open_at_a_stop_and_trades_printed_while_down_are_all_served_exactly_once_after_a_restart()
    {
        var ct = TestContext.Current.CancellationToken;
        var instruments = Registry.ForExchange(Exchange.Binance);
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { Seed = 23, TradesPerSecond = TradesPerSecond, StartPaused = true }, Registry, null, ct);
        using var data = new TempDirectory("k2-restart");
        var environment = new Dictionary<string, string>
        {
            ["K2__Exchanges__Binance__WebSocketBase"] = simulator.BinanceWebSocketBase.ToString(),
            ["K2__Exchanges__Binance__RestBase"] = simulator.BinanceRestBase.ToString(),
            // Long enough that the gaps of the first run are still waiting when it is stopped.
            ["K2__Ingest__GapGrace"] = "00:01:00",
        };

        await using (var first = K2Process.Start(data.Path, [], environment))
        {
            try
            {
                await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
                await WaitUntilSubscribedAsync(simulator, instruments.Count, ct);
                simulator.Resume();
                await Task.Delay(TimeSpan.FromSeconds(3), ct); // the scenario's timeline from here on
                simulator.Faults.SkipWebSocketTrades(Exchange.Binance, TimeSpan.FromSeconds(2));
                await Task.Delay(TimeSpan.FromSeconds(4), ct);

                var before = await IngestAsync(first, ct);
                output.WriteLine($"First run at stop: {before}");
                before.GetProperty("gaps_detected").GetInt64().ShouldBeGreaterThan(0, "the skip showed as gaps");
                before.GetProperty("gaps_repaired").GetInt64().ShouldBe(0, "the gaps are still in their grace at the stop");
                (await first.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
            }
            finally
            {
                output.WriteLine(first.Output);
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(3), ct); // the exchange trades on while K2 is down
        var skipped = simulator.Faults.Counts(Exchange.Binance).GetValueOrDefault(FaultKind.SkippedTrade);
        skipped.ShouldBeGreaterThan(0);

        environment["K2__Ingest__GapGrace"] = "00:00:00.500";
        await using var second = K2Process.Start(data.Path, [], environment);
        try
        {
            await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
            await WaitUntilSubscribedAsync(simulator, instruments.Count, ct);
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
            simulator.Pause();

            var printed = instruments.ToDictionary(
                i => i.Symbol,
                i => simulator.GroundTruth.For(Exchange.Binance, i.ExchangeSymbol).ToDictionary(t => t.TradeId.ToString(CultureInfo.InvariantCulture)));
            output.WriteLine($"{printed.Values.Sum(p => p.Count)} trades printed, {skipped} of them never on the stream");

            var served = new Dictionary<string, List<string>>();
            await Eventually.TrueAsync(async attempt =>
            {
                foreach (var instrument in instruments)
                {
                    served[instrument.Symbol] = await TradeIdsAsync(second, instrument.Symbol, attempt);
                }

                return instruments.All(i => served[i.Symbol].Count >= printed[i.Symbol].Count);
            }, TimeSpan.FromSeconds(60), "the restarted K2 did not catch up", ct);

            foreach (var instrument in instruments)
            {
                var ids = served[instrument.Symbol];
                ids.Distinct().Count().ShouldBe(ids.Count, $"{instrument.Symbol}: a trade was served twice");
                ids.Order().ShouldBe(printed[instrument.Symbol].Keys.Order(), $"{instrument.Symbol}: served trades differ from printed ones");
            }

            var after = await IngestAsync(second, ct);
            output.WriteLine($"Second run: {after}");
            after.GetProperty("gaps_detected").GetInt64().ShouldBeGreaterThan(0, "the holes left by the first run were found in storage");
            after.GetProperty("trades_lost").GetInt64().ShouldBe(0);
            (await second.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
        }
        finally
        {
            output.WriteLine(second.Output);
        }
    }

    private static Task WaitUntilSubscribedAsync(ExchangeSimulator simulator, int symbols, CancellationToken ct) =>
        Eventually.TrueAsync(
            () => simulator.Sessions.Any(s => s.Exchange == Exchange.Binance && s.Streams.Count == symbols),
            TimeSpan.FromSeconds(30), "K2 did not subscribe to every Binance symbol", ct);

    private static async Task<JsonElement> IngestAsync(K2Process k2, CancellationToken ct) =>
        (await k2.GetJsonAsync("/v1/status", ct)).GetProperty("ingest").GetProperty("binance");

    private static async Task<List<string>> TradeIdsAsync(K2Process k2, string symbol, CancellationToken ct)
    {
        var body = await k2.GetJsonAsync($"/v1/trades?exchange=binance&symbol={symbol}&limit=10000", ct);
        return [.. body.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("trade_id").GetString()!)];
    }
}
