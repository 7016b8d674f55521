using System.Globalization;
using System.Text.Json;
using K2.Core;
using K2.Core.Instruments;
using K2.Simulator;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>
/// The promise: no trade the exchange printed is missing or duplicated in K2, whatever the connection does. K2 runs
/// as its own process against one simulator printing 240 trades/s over all of each exchange's symbols for 60 s while
/// every fault type is injected on every exchange (the last 4 s of trades never on the stream); then, per exchange,
/// every printed trade must be served exactly once with equal values, and every malformed frame must have been rejected
/// and counted. The three exchanges share one K2 start and one timeline (<see cref="Run"/>): the simulator prints every
/// exchange whether or not K2 listens, each exchange has its own settings, faults and status counters, so the run of
/// each is what it would be alone, and the suite pays for one minute of storm instead of three.
/// </summary>
public sealed class ChaosTests(ChaosTests.Run run, ITestOutputHelper output) : IClassFixture<ChaosTests.Run>
{
    private const double TradesPerSecond = 240;
    private static readonly TimeSpan TradingTime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CatchUpTime = TimeSpan.FromSeconds(120);
    private static readonly InstrumentRegistry Registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
    private static readonly Exchange[] Exchanges = [Exchange.Binance, Exchange.Kraken, Exchange.Coinbase];

    [Fact]
    public Task Binance_loses_and_duplicates_nothing_through_every_fault() => CheckAsync(Exchange.Binance);

    [Fact]
    public Task Kraken_loses_and_duplicates_nothing_through_every_fault() => CheckAsync(Exchange.Kraken);

    [Fact]
    public Task Coinbase_loses_and_duplicates_nothing_through_every_fault() => CheckAsync(Exchange.Coinbase);

    /// <summary>
    /// The shared scenario: K2 with every exchange enabled, each exchange's faults on one 60 s timeline, then the
    /// simulator paused. Each test checks its exchange; K2 is stopped (and must exit with 0) when the class is done.
    /// </summary>
    public sealed class Run : IAsyncLifetime
    {
        private readonly TempDirectory _data = new("k2-chaos");
        private ExchangeSimulator? _simulator;
        private K2Process? _k2;

        public ExchangeSimulator Simulator => _simulator ?? throw new InvalidOperationException("The chaos run has not started.");

        public K2Process K2 => _k2 ?? throw new InvalidOperationException("The chaos run has not started.");

        public async ValueTask InitializeAsync()
        {
            var ct = TestContext.Current.CancellationToken;
            try
            {
                _simulator = await ExchangeSimulator.StartAsync(
                    new SimulatorOptions
                    {
                        Seed = 11,
                        TradesPerSecond = TradesPerSecond,
                        StartPaused = true,
                        BinanceConnectionLifetime = TimeSpan.FromSeconds(20), // Binance's 24 h cut, scaled down
                        BinanceShutdownGrace = TimeSpan.FromSeconds(2),
                    },
                    Registry, null, ct);
                _k2 = K2Process.Start(_data.Path, [], Environment(_simulator));
                await _k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
                foreach (var exchange in Exchanges)
                {
                    var symbols = Registry.ForExchange(exchange).Count;
                    await Eventually.TrueAsync(async attempt => await _k2.IsSubscribedAsync(exchange, symbols, attempt),
                        TimeSpan.FromSeconds(30), $"K2 did not subscribe to every {exchange.ToName()} symbol", ct);
                }

                _simulator.Resume();
                await RunFaultScheduleAsync(_simulator.Faults, ct);
                _simulator.Pause();
            }
            catch
            {
                await ReleaseAsync(); // nothing of a failed start outlives it
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_k2 is { } k2)
                {
                    var exit = await k2.StopAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
                    if (exit != 0)
                    {
                        throw new InvalidOperationException($"k2 exited with {exit} on SIGTERM, not 0:{System.Environment.NewLine}{k2.Output}");
                    }
                }
            }
            finally
            {
                await ReleaseAsync();
            }
        }

        private async Task ReleaseAsync()
        {
            if (_k2 is not null)
            {
                await _k2.DisposeAsync();
                _k2 = null;
            }

            if (_simulator is not null)
            {
                await _simulator.DisposeAsync();
                _simulator = null;
            }

            _data.Dispose();
        }
    }

    private async Task CheckAsync(Exchange exchange)
    {
        var ct = TestContext.Current.CancellationToken;
        var (simulator, k2) = (run.Simulator, run.K2);
        var instruments = Registry.ForExchange(exchange);
        var faults = simulator.Faults;
        try
        {
            var printed = instruments.ToDictionary(
                i => i.Symbol,
                i => simulator.GroundTruth.For(exchange, i.ExchangeSymbol).ToDictionary(t => t.TradeId.ToString(CultureInfo.InvariantCulture)));
            var total = printed.Values.Sum(t => t.Count);
            output.WriteLine($"{exchange.ToName()}: {total} trades printed over {instruments.Count} symbols in {TradingTime.TotalSeconds} s");
            output.WriteLine("Faults: " + string.Join(", ", faults.Counts(exchange).OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}")));
            total.ShouldBeGreaterThanOrEqualTo((int)(200 * TradingTime.TotalSeconds), "the scenario needs at least 200 trades/s");

            // K2 repairs gaps asynchronously: wait until every symbol serves as many trades as were printed.
            var served = new Dictionary<string, List<JsonElement>>();
            try
            {
                await Eventually.TrueAsync(async attempt =>
                {
                    foreach (var instrument in instruments)
                    {
                        served[instrument.Symbol] = await k2.TradesAsync(exchange, instrument.Symbol, attempt);
                    }

                    return instruments.All(i => served[i.Symbol].Count >= printed[i.Symbol].Count);
                }, CatchUpTime, "K2 did not catch up with the exchange", ct);
            }
            finally
            {
                foreach (var instrument in instruments)
                {
                    var servedIds = served.GetValueOrDefault(instrument.Symbol, []).Select(t => t.GetProperty("trade_id").GetString()!).ToHashSet();
                    var missing = printed[instrument.Symbol].Keys.Where(id => !servedIds.Contains(id)).ToList();
                    if (missing.Count > 0)
                    {
                        output.WriteLine($"{instrument.Symbol}: {missing.Count} missing, e.g. {string.Join(", ", missing.Take(10))}");
                    }
                }
            }

            foreach (var instrument in instruments)
            {
                var expected = printed[instrument.Symbol];
                var actual = served[instrument.Symbol];
                var ids = actual.Select(t => t.GetProperty("trade_id").GetString()!).ToList();
                ids.Distinct().Count().ShouldBe(ids.Count, $"{instrument.Symbol}: a trade was served twice");
                ids.Order().ShouldBe(expected.Keys.Order(), $"{instrument.Symbol}: served trades differ from printed ones");
                foreach (var trade in actual)
                {
                    var truth = expected[trade.GetProperty("trade_id").GetString()!];
                    decimal.Parse(trade.GetProperty("price").GetString()!, CultureInfo.InvariantCulture).ShouldBe(truth.Price);
                    decimal.Parse(trade.GetProperty("quantity").GetString()!, CultureInfo.InvariantCulture).ShouldBe(truth.Quantity);
                    trade.GetProperty("side").GetString().ShouldBe(truth.TakerSide == Core.Trades.TradeSide.Buy ? "buy" : "sell");
                    DateTimeOffset.Parse(trade.GetProperty("exchange_ts").GetString()!, CultureInfo.InvariantCulture)
                        .ShouldBe(truth.TradeTime.ToDateTimeOffset());
                }
            }

            var counts = faults.Counts(exchange);
            counts.GetValueOrDefault(FaultKind.DuplicatedFrame).ShouldBe(20 + 10, "every duplicate armed (at 15 s and 50 s) is taken by the next trade frames");
            foreach (var kind in ExpectedFaults(exchange))
            {
                counts.GetValueOrDefault(kind).ShouldBeGreaterThan(0, $"the fault {kind} never happened");
            }

            var status = await k2.ExchangeStatusAsync(exchange, ct);
            status.GetProperty("trades_rejected").GetInt64().ShouldBe(counts[FaultKind.MalformedFrame], "every malformed frame rejected and counted, nothing else");
            var ingest = (await k2.GetJsonAsync("/v1/status", ct)).GetProperty("ingest").GetProperty(exchange.ToName());
            output.WriteLine($"Ingest: {ingest}");
            ingest.GetProperty("trades_stored").GetInt64().ShouldBe(total, "K2's own count of trades stored agrees with the exchange");
            ingest.GetProperty("trades_lost").GetInt64().ShouldBe(0, "nothing given up");
            ingest.GetProperty("gaps_detected").GetInt64().ShouldBeGreaterThan(0, "the skips showed as gaps");
        }
        finally
        {
            output.WriteLine(string.Join(System.Environment.NewLine, k2.Output.Split(System.Environment.NewLine)
                .Where(l => l.Contains(exchange.ToName(), StringComparison.OrdinalIgnoreCase))
                .Where(l => l.Contains("warn", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal) || l.Contains("Gap", StringComparison.Ordinal))
                .Take(400)));
        }
    }

    /// <summary>Every exchange's faults (<see cref="Schedule"/>) on one timeline, then trading to the end of the 60 s.</summary>
    private static async Task RunFaultScheduleAsync(SimulatorFaults faults, CancellationToken ct)
    {
        var schedule = Exchanges.SelectMany(exchange => Schedule(exchange, faults)).OrderBy(f => f.At).ToList();
        var started = TimeProvider.System.GetTimestamp();
        foreach (var (at, inject) in schedule)
        {
            var wait = TimeSpan.FromSeconds(at) - TimeProvider.System.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct); // the scenario's timeline
            }

            inject();
        }

        var rest = TradingTime - TimeProvider.System.GetElapsedTime(started);
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest, ct);
        }
    }

    /// <summary>Every fault type at least once within the 60 s, spaced so each one's repair can be told apart in the log.</summary>
    private static (double At, Action Inject)[] Schedule(Exchange exchange, SimulatorFaults faults)
    {
        var restFault = exchange == Exchange.Kraken ? RestFault.Throttled : RestFault.TooManyRequests;
        var retryAfter = TimeSpan.FromSeconds(1);
        return
        [
            (4, () => faults.DropConnections(exchange)),
            (9, () =>
            {
                faults.FailRestRequests(exchange, 2, restFault, retryAfter);
                faults.SkipWebSocketTrades(exchange, TimeSpan.FromSeconds(2));
            }),
            (15, () => faults.DuplicateFrames(exchange, 20)),
            (19, () => faults.ReorderFrames(exchange, 20)),
            (23, () => faults.SendMalformedFrames(exchange, 10)),
            (27, () => faults.Stall(exchange, TimeSpan.FromSeconds(6))),
            (38, () =>
            {
                if (exchange == Exchange.Binance)
                {
                    faults.FailRestRequests(exchange, 1, RestFault.Banned, retryAfter);
                    faults.ServerShutdown(exchange);
                }
                else
                {
                    faults.FailRestRequests(exchange, 1, restFault, retryAfter);
                    faults.SkipWebSocketTrades(exchange, TimeSpan.FromSeconds(1));
                }
            }),
            (44, () => faults.SkipWebSocketTrades(exchange, TimeSpan.FromSeconds(1.5))),
            (50, () =>
            {
                faults.DuplicateFrames(exchange, 10);
                faults.ReorderFrames(exchange, 10);
                faults.SendMalformedFrames(exchange, 3);
            }),

            // The last trades of the run never come on the stream, and no later trade reveals the gap: only the
            // periodic reconcile can find them.
            (56, () => faults.SkipWebSocketTrades(exchange, TimeSpan.FromSeconds(4))),
        ];
    }

    private static IEnumerable<FaultKind> ExpectedFaults(Exchange exchange)
    {
        FaultKind[] common =
        [
            FaultKind.Drop, FaultKind.SkippedTrade, FaultKind.StalledTrade, FaultKind.DuplicatedFrame, FaultKind.ReorderedFrame,
            FaultKind.MalformedFrame,
        ];
        return exchange switch
        {
            Exchange.Binance => [.. common, FaultKind.ServerShutdown, FaultKind.LifetimeCut, FaultKind.RestTooManyRequests, FaultKind.RestBanned],
            Exchange.Kraken => [.. common, FaultKind.RestThrottled],
            _ => [.. common, FaultKind.RestTooManyRequests],
        };
    }

    /// <summary>K2 against the simulator on every exchange, with timings scaled to a one-minute scenario.</summary>
    private static Dictionary<string, string> Environment(ExchangeSimulator simulator)
    {
        var settings = K2Process.AsEnvironment(simulator.K2Settings);
        settings["K2__Exchanges__Kraken__RestRequestsPerSecond"] = "10";
        settings["K2__Exchanges__Kraken__RestThrottlePause"] = "00:00:01";
        settings["K2__Ingest__GapGrace"] = "00:00:00.500";
        settings["K2__Ingest__BackfillRetryDelay"] = "00:00:01";
        settings["K2__Ingest__ReconcileInterval"] = "00:00:10";
        foreach (var venue in new[] { "Binance", "Kraken", "Coinbase" })
        {
            settings[$"K2__Exchanges__{venue}__Enabled"] = "true";
            settings[$"K2__Exchanges__{venue}__StaleAfter"] = "00:00:03";
            settings[$"K2__Exchanges__{venue}__SubscribeTimeout"] = "00:00:05";
            settings[$"K2__Exchanges__{venue}__ReconnectInitialDelay"] = "00:00:00.200";
            settings[$"K2__Exchanges__{venue}__ReconnectMaxDelay"] = "00:00:02";
            settings[$"K2__Exchanges__{venue}__CloseTimeout"] = "00:00:01";
        }

        return settings;
    }

}
