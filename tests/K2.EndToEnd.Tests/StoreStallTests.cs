using System.Globalization;
using System.Text.Json;
using K2.Core;
using K2.Core.Instruments;
using K2.Simulator;
using K2.Storage.ClickHouse.Embedded;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.EndToEnd.Tests;

/// <summary>
/// Issue #12's promise for a store that stops answering: K2 as its own process, its hot store a ClickHouse HTTP
/// endpoint that hangs every request while the simulated Binance keeps printing, until the session has stopped reading
/// and then for longer than a grain call's 30 s timeout. The writers' buffers fill to their bound, the instruments hand
/// back what they cannot take, the session stops reading its socket, and no grain call times out (the status keeps
/// answering throughout). When the store answers again, every printed trade is stored
/// exactly once.
/// </summary>
public sealed class StoreStallTests(ITestOutputHelper output)
{
    private const double TradesPerSecond = 400;

    /// <summary>Small writer bounds, so the stall reaches them within seconds at this rate.</summary>
    private const int MaxBufferedRows = 4_000;

    private const int MaxBatchRows = 500;

    /// <summary>Trades flowing normally before the stall, and again after it: the stall itself is what is measured.</summary>
    private static readonly TimeSpan TradingBefore = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the store stays hung after the session stopped reading (its writers full), counted from the first of
    /// two status polls that read the same count of received trades: longer than a grain call's 30 s timeout, so a call
    /// held up by the store would have timed out. (The stall was a fixed 60 s; the session stopped 10 to 14 s into it.)
    /// </summary>
    private static readonly TimeSpan HeldAtBound = TimeSpan.FromSeconds(35);

    /// <summary>The time the writers have to fill at this rate; the half of the former 60 s stall they had.</summary>
    private static readonly TimeSpan FillLimit = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan TradingAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CatchUpTime = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StatusPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>Longest a status request may take during the stall: far below a grain call's 30 s timeout.</summary>
    private static readonly TimeSpan StatusAnswerLimit = TimeSpan.FromSeconds(5);

    private static readonly InstrumentRegistry Registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    /// <summary>
    /// What Orleans logs when a grain call timed out ("Response did not arrive on time"), a queued call expired
    /// unprocessed, or a call was refused. (The store client's own timeouts, retried by the writers, are expected.)
    /// </summary>
    private static readonly string[] TimeoutSigns = ["did not arrive on time", "Dropping expired message", "OrleansMessageRejectionException"];

    [Fact]
    public async Task A_store_that_hangs_stops_the_session_at_the_writer_bound_past_a_call_timeout_with_none_timing_out_and_loses_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var exchange = Exchange.Binance;
        var instruments = Registry.ForExchange(exchange);
        // Below the working directory: the in-test ClickHouse endpoint reads the local warehouse with icebergLocal, which
        // reads only there (chDB's user_files_path is ".").
        using var data = TempDirectory.BelowWorkingDirectory("k2-stall");
        using var server = EmbeddedClickHouse.Open(
            new EmbeddedClickHouseOptions { DataPath = Path.Combine(data.Path, "server") }, NullLogger<EmbeddedClickHouse>.Instance);
        await using var store = await ChdbHttpEndpoint.StartAsync(server, ct);
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { Seed = 12, TradesPerSecond = TradesPerSecond, StartPaused = true }, Registry, null, ct);
        await using var k2 = K2Process.Start(Directory.CreateDirectory(Path.Combine(data.Path, "k2")).FullName, [], Environment(simulator, store));
        try
        {
            await k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
            await Eventually.TrueAsync(async attempt => await k2.IsSubscribedAsync(exchange, instruments.Count, attempt),
                TimeSpan.FromSeconds(30), "K2 did not subscribe to every Binance symbol", ct);
            simulator.Resume();
            await Task.Delay(TradingBefore, ct); // the scenario's timeline: trades flow normally

            store.Stall();
            var stalledAt = TimeProvider.System.GetTimestamp();
            var received = new List<(TimeSpan At, long Received)>();
            TimeSpan? stoppedReading = null;
            while (stoppedReading is { } stopped
                       ? TimeProvider.System.GetElapsedTime(stalledAt) - stopped < HeldAtBound
                       : TimeProvider.System.GetElapsedTime(stalledAt) < FillLimit)
            {
                var asked = TimeProvider.System.GetTimestamp();
                var status = await StatusAsync(k2, ct).WaitAsync(StatusAnswerLimit, ct);
                var answeredIn = TimeProvider.System.GetElapsedTime(asked);
                var at = TimeProvider.System.GetElapsedTime(stalledAt);
                received.Add((at, status.GetProperty("ingest").GetProperty(exchange.ToName()).GetProperty("trades_received").GetInt64()));
                output.WriteLine($"stall +{at.TotalSeconds:F0} s: status in {answeredIn.TotalMilliseconds:F0} ms, received {received[^1].Received}, " +
                                 $"silver buffered {status.GetProperty("hot_store").GetProperty("silver_rows_buffered").GetInt64()}");
                if (stoppedReading is null && received.Count > 1 && received[^1].Received == received[^2].Received)
                {
                    stoppedReading = received[^2].At;
                }

                await Task.Delay(StatusPollInterval, ct);
            }

            store.Resume();
            await Task.Delay(TradingAfter, ct);
            simulator.Pause();

            // Bounded: once the buffers were full the session read nothing more, for the rest of the stall.
            var stoppedAt = stoppedReading.ShouldNotBeNull($"the session was still reading {FillLimit.TotalSeconds} s into the stall");
            var atStall = received[0].Received;
            var full = received.First(r => r.At >= stoppedAt).Received;
            var end = received[^1].Received;
            output.WriteLine($"received during the stall: {full - atStall} by +{stoppedAt.TotalSeconds:F0} s, {end - atStall} by its end " +
                             $"(+{received[^1].At.TotalSeconds:F0} s)");
            end.ShouldBe(full, "the session kept reading after the writers were full");
            (end - atStall).ShouldBeLessThanOrEqualTo(2 * (MaxBufferedRows + MaxBatchRows) + 2 * MaxBatchRows,
                "more trades taken during the stall than the bronze and silver writers hold");

            var printed = instruments.ToDictionary(
                i => i.Symbol,
                i => simulator.GroundTruth.For(exchange, i.ExchangeSymbol).Select(t => t.TradeId.ToString(CultureInfo.InvariantCulture)).ToList());
            var total = printed.Values.Sum(t => t.Count);
            output.WriteLine($"{total} trades printed over {instruments.Count} symbols");
            var served = new Dictionary<string, List<string>>();
            await Eventually.TrueAsync(async attempt =>
            {
                foreach (var instrument in instruments)
                {
                    served[instrument.Symbol] = [.. (await k2.TradesAsync(exchange, instrument.Symbol, attempt)).Select(Id)];
                }

                return instruments.All(i => served[i.Symbol].Count >= printed[i.Symbol].Count);
            }, CatchUpTime, "K2 did not catch up with the exchange after the stall", ct);

            foreach (var instrument in instruments)
            {
                var ids = served[instrument.Symbol];
                ids.Count.ShouldBeLessThan(K2Process.MaxTradesPage, "the check needs every trade of a symbol on one page");
                ids.Distinct().Count().ShouldBe(ids.Count, $"{instrument.Symbol}: a trade was stored twice");
                ids.Order(StringComparer.Ordinal).ShouldBe(printed[instrument.Symbol].Order(StringComparer.Ordinal), $"{instrument.Symbol}: stored trades differ from printed ones");
            }

            // Which writer fills first (bronze, which the session itself waits on, or silver, which the instrument
            // grains hand back from) varies from run to run; either way no call may have timed out.
            var log = k2.Output;
            foreach (var sign in TimeoutSigns)
            {
                log.ShouldNotContain(sign, Case.Sensitive, $"a grain call timed out: '{sign}' in K2's log");
            }

            (await k2.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
        }
        finally
        {
            output.WriteLine(string.Join(System.Environment.NewLine, k2.Output.Split(System.Environment.NewLine)
                .Where(l => l.Contains("warn", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal) || l.Contains("hot store", StringComparison.Ordinal))
                .Take(300)));
        }
    }

    private static string Id(JsonElement trade) => trade.GetProperty("trade_id").GetString()!;

    private static Task<JsonElement> StatusAsync(K2Process k2, CancellationToken ct) => k2.GetJsonAsync("/v1/status", ct);

    /// <summary>K2 against the simulated Binance only, its hot store over HTTP on the stalling endpoint.</summary>
    private static Dictionary<string, string> Environment(ExchangeSimulator simulator, ChdbHttpEndpoint store)
    {
        var settings = K2Process.AsEnvironment(simulator.K2Settings);
        ChdbHttpEndpoint.AddK2Environment(settings, store.Url);
        settings["K2__Storage__Writers__MaxBufferedRows"] = MaxBufferedRows.ToString(CultureInfo.InvariantCulture);
        settings["K2__Storage__Writers__MaxBatchRows"] = MaxBatchRows.ToString(CultureInfo.InvariantCulture);
        settings["K2__Storage__Writers__MaxBacklogBatchRows"] = MaxBatchRows.ToString(CultureInfo.InvariantCulture);
        settings["K2__Ingest__GapGrace"] = "00:00:00.500";
        settings["K2__Ingest__BackfillRetryDelay"] = "00:00:01";
        settings["K2__Exchanges__Kraken__Enabled"] = "false";
        settings["K2__Exchanges__Coinbase__Enabled"] = "false";
        return settings;
    }
}
