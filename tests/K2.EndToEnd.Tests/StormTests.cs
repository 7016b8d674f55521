using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using K2.Core;
using K2.Core.Instruments;
using K2.EndToEnd.Tests.Support;
using K2.Simulator;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>
/// Issue #11, as a skeptical operator tried it: K2 as its own process against one simulator serving all three exchanges
/// with <c>k2 run --simulate</c>'s settings. Storms of every fault the simulator has (one every 2-5 s, on any exchange,
/// from a seed), each followed by a clean tail and a pause; then silver must hold every printed trade, per symbol, from
/// its first stored trade on. One K2 start serves the regression storm (<see cref="RegressionSeed"/>), a storm from a new
/// seed each run, and a trailing gap: every exchange drops its last trades just before all symbols go quiet, and each
/// must be repaired within 30 s of its last trade. K2 is driven only through process boundaries: the simulator's
/// faults, K2's HTTP endpoints, its log. Every seed and schedule is printed; <c>K2_STORM_SEED</c> (and
/// <c>K2_STORM_SECONDS</c>, default 45) replays just that storm, which is also how the sweep outside the suite runs.
/// </summary>
public sealed class StormTests(ITestOutputHelper output)
{
    /// <summary>
    /// Issue #11 reproduced: a Kraken drop, then 11 Kraken REST refusals armed over 43 s, kept one Kraken backfill request
    /// retrying behind throttle pauses of 5, 10, 20, 40 and then 60 s each (495 s in all) while two skip gaps per symbol
    /// waited behind it; 330 Kraken trades were missing at the end, and still missing 120 s later. Since Kraken's throttle
    /// pause no longer grows, every gap of this storm is repaired within seconds of its end.
    /// </summary>
    private const int RegressionSeed = 22;

    /// <summary>
    /// Seed 22's schedule up to the end of its second Kraken skip (+102.6 s, 1.6 s long): the issue's drop (+33.6 s), its
    /// 11 Kraken REST refusals (+37.0 to +80.3 s) and both skips (+41.3 s, +102.6 s). The schedule of a seed does not
    /// depend on the length, which only cuts its tail (here a Binance malformed frame and a Coinbase stall).
    /// </summary>
    private static readonly TimeSpan RegressionStormTime = TimeSpan.FromSeconds(105);

    private static readonly TimeSpan RandomStormTime = TimeSpan.FromSeconds(45);

    /// <summary>Trades after a storm's last fault, so a gap it left shows at the next trade of each symbol.</summary>
    private static readonly TimeSpan CleanTail = TimeSpan.FromSeconds(10);

    /// <summary>With <see cref="CleanTail"/>, the 90 s a storm's repairs have after its end; waited on K2's counts, not slept.</summary>
    private static readonly TimeSpan CatchUpTime = TimeSpan.FromSeconds(80);
    private static readonly TimeSpan LateWindow = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StatusPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Issue #11's bound for a gap nothing after it reveals.</summary>
    private static readonly TimeSpan TrailingRepairLimit = TimeSpan.FromSeconds(30);

    private static readonly InstrumentRegistry Registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
    private static readonly Exchange[] Exchanges = [Exchange.Binance, Exchange.Kraken, Exchange.Coinbase];

    /// <summary>What K2 logs about backfills and REST: the evidence of where a repair sits.</summary>
    private static readonly string[] BackfillWords = ["Backfill", "REST", "missing trade ids", "pausing", "throttl", "repaired", "gave up", "backfill", "still open"];

    [Fact]
    public async Task No_trade_is_lost_through_seeded_storms_of_faults_and_a_trailing_gap_is_repaired_within_30_s()
    {
        var ct = TestContext.Current.CancellationToken;
        var replay = int.TryParse(System.Environment.GetEnvironmentVariable("K2_STORM_SEED"), CultureInfo.InvariantCulture, out var s) ? s : (int?)null;
        List<(int Seed, TimeSpan Length)> storms = replay is { } replaySeed
            ? [(replaySeed, double.TryParse(System.Environment.GetEnvironmentVariable("K2_STORM_SECONDS"), CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : RandomStormTime)]
            : [(RegressionSeed, RegressionStormTime), (Random.Shared.Next(1_000, 1_000_000), RandomStormTime)];
        output.WriteLine("Storms: " + string.Join(", ", storms.Select(t => $"seed {t.Seed} for {t.Length.TotalSeconds} s")) + (replay is null ? ", then a trailing gap" : " (replay)"));

        // k2 run --simulate's simulator, except that it starts paused so the first storm begins with every symbol subscribed.
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { Seed = storms[0].Seed, StartPaused = true }, Registry, null, ct);
        using var data = new TempDirectory("k2-storm");
        await using var k2 = K2Process.Start(data.Path, [], Environment(simulator));
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var restFaultsServed = new ConcurrentQueue<string>();
        var watcher = WatchRestFaultsAsync(simulator.Faults, restFaultsServed, watching.Token);
        var injected = new List<string>();
        var failures = new StringBuilder();
        var passed = false;
        try
        {
            await k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
            foreach (var exchange in Exchanges)
            {
                var symbols = Registry.ForExchange(exchange).Count;
                await Eventually.TrueAsync(async attempt => await k2.IsSubscribedAsync(exchange, symbols, attempt),
                    TimeSpan.FromSeconds(30), $"K2 did not subscribe to every {exchange.ToName()} symbol", ct);
            }

            foreach (var (seed, length) in storms)
            {
                failures.Append(await RunStormAsync(k2, simulator, seed, length, injected, ct));
            }

            if (replay is null)
            {
                failures.Append(await RunTrailingGapAsync(k2, simulator, ct));
            }

            failures.ToString().ShouldBeEmpty("silver differs from what the exchanges printed, or a repair was late");
            (await k2.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
            passed = true;
        }
        finally
        {
            await watching.CancelAsync();
            await watcher;
            output.WriteLine($"Faults as injected ({injected.Count}):");
            output.WriteLine(string.Join(System.Environment.NewLine, injected));
            output.WriteLine("Kraken REST faults served to K2 (simulator's count of throttled replies, when it changed):");
            output.WriteLine(string.Join(System.Environment.NewLine, restFaultsServed));
            var lines = k2.Output.Split(System.Environment.NewLine);
            var evidence = lines.Where(l => l.Contains("kraken", StringComparison.OrdinalIgnoreCase)
                && BackfillWords.Any(w => l.Contains(w, StringComparison.Ordinal))).ToList();
            output.WriteLine($"K2's Kraken backfill/REST log ({evidence.Count} lines{(passed ? "" : ", test failed")}):");
            output.WriteLine(string.Join(System.Environment.NewLine, evidence.Take(800)));
            output.WriteLine(LongestSilence(evidence.Where(l => l.Contains("BackfillWorker", StringComparison.Ordinal)).ToList(), DateTimeOffset.UtcNow));
            if (!passed)
            {
                output.WriteLine("K2's warnings and errors:");
                output.WriteLine(string.Join(System.Environment.NewLine, lines
                    .Where(l => l.Contains("warn:", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal))
                    .Take(400)));
            }
        }
    }

    /// <summary>
    /// One storm from <paramref name="seed"/>, its clean tail and a pause; then the exact comparison. Returns what is
    /// wrong (empty when nothing is). Prints, per exchange, the time from its last fault until K2 had no open gap and no
    /// repair queued or in flight (from its status, polled every <see cref="StatusPollInterval"/>), as a line the sweep
    /// collects: <c>REPAIR seed=… binance=…s kraken=…s coinbase=…s</c>.
    /// </summary>
    private async Task<string> RunStormAsync(
        K2Process k2, ExchangeSimulator simulator, int seed, TimeSpan length, List<string> injected, CancellationToken ct)
    {
        var schedule = StormSchedule.Generate(seed, length);
        output.WriteLine($"Storm seed {seed}, {length.TotalSeconds} s, {schedule.Count} faults (replay: K2_STORM_SEED={seed} K2_STORM_SECONDS={length.TotalSeconds})");
        foreach (var fault in schedule)
        {
            output.WriteLine($"  {fault}");
        }

        using var polling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var busy = new ConcurrentQueue<(DateTimeOffset At, Dictionary<Exchange, bool> Busy)>();
        var poller = PollRepairsAsync(k2, busy, polling.Token);
        var lastFault = new Dictionary<Exchange, DateTimeOffset>();
        simulator.Resume();
        var started = TimeProvider.System.GetTimestamp();
        injected.Add($"{Now()} storm seed {seed} starts");
        foreach (var fault in schedule)
        {
            var wait = fault.At - TimeProvider.System.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }

            fault.Inject(simulator.Faults);
            lastFault[fault.Exchange] = DateTimeOffset.UtcNow + fault.Duration;
            injected.Add($"{Now()} {fault}");
        }

        await Task.Delay(length + CleanTail - TimeProvider.System.GetElapsedTime(started), ct);
        simulator.Pause();
        output.WriteLine($"Simulator paused at {Now()}, after {length.TotalSeconds} s of storm and {CleanTail.TotalSeconds} s clean");

        var printed = Printed(simulator);
        foreach (var exchange in Exchanges)
        {
            output.WriteLine($"{exchange.ToName()}: {printed[exchange].Values.Sum(t => t.Count)} trades printed over {printed[exchange].Count} symbols; faults "
                + string.Join(", ", simulator.Faults.Counts(exchange).OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}")));
        }

        // K2 repairs gaps asynchronously: within the catch-up time, wait (cheaply, on its own counts) until it has handed
        // its writers as many trades as were printed, then until every symbol serves them all (writers flush on an interval).
        var catchUp = TimeProvider.System.GetTimestamp();
        try
        {
            await Eventually.TrueAsync(async attempt =>
            {
                var ingest = (await k2.GetJsonAsync("/v1/status", attempt)).GetProperty("ingest");
                return Exchanges.All(e => ingest.GetProperty(e.ToName()).GetProperty("trades_stored").GetInt64() >= printed[e].Values.Sum(t => t.Count));
            }, CatchUpTime, "K2 did not store every printed trade", ct);
        }
        catch (TimeoutException e)
        {
            output.WriteLine($"{Now()} {e.Message}");
        }

        var incomplete = await IncompleteAsync(k2, printed, AllSymbols(printed), ct);
        while (incomplete.Count > 0 && TimeProvider.System.GetElapsedTime(catchUp) < CatchUpTime)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            incomplete = await IncompleteAsync(k2, printed, incomplete, ct);
        }

        output.WriteLine($"{Now()} catch-up over after {TimeProvider.System.GetElapsedTime(catchUp).TotalSeconds:0.0} s, {incomplete.Count} symbol(s) incomplete");

        // Repairs that were queued before the data came by other means (a catch-up after a drop) still run: the repair
        // time counts until K2 itself has nothing left to do, for up to the catch-up time more.
        var idleWait = TimeProvider.System.GetTimestamp();
        while (busy.LastOrDefault().Busy?.Values.Any(b => b) != false && TimeProvider.System.GetElapsedTime(idleWait) < CatchUpTime)
        {
            await Task.Delay(StatusPollInterval, ct);
        }

        await polling.CancelAsync();
        await poller;
        var repairTimes = Exchanges.Select(e => $"{e.ToName()}={(lastFault.TryGetValue(e, out var last) ? RepairTime(busy, e, last) : "nofault")}");
        output.WriteLine($"REPAIR seed={seed} {string.Join(' ', repairTimes)}");

        var ingestTotals = (await k2.GetJsonAsync("/v1/status", ct)).GetProperty("ingest");
        var lost = new StringBuilder();
        foreach (var exchange in Exchanges)
        {
            output.WriteLine($"{exchange.ToName()} ingest: {ingestTotals.GetProperty(exchange.ToName())}");
            var missingOnExchange = 0;
            foreach (var instrument in Registry.ForExchange(exchange))
            {
                var served = await TradeIdsAsync(k2, exchange, instrument.Symbol, ct);
                var truth = printed[exchange][instrument.Symbol];
                var first = truth.FindIndex(served.Contains);
                var expected = first < 0 ? truth : truth[first..];
                var missing = expected.Where(id => !served.Contains(id)).ToHashSet();
                var extra = served.Except(truth).ToList();
                missingOnExchange += missing.Count;
                if (missing.Count > 0 || extra.Count > 0 || first < 0)
                {
                    var neverPrinted = extra.Count > 0 ? $", {extra.Count} never printed (e.g. {string.Join(", ", extra.Take(5))})" : "";
                    lost.AppendLine(CultureInfo.InvariantCulture,
                        $"storm seed {seed}: {exchange.ToName()}/{instrument.Symbol}: {missing.Count} of {expected.Count} missing ({Ranges(expected, missing)}){neverPrinted}{(first < 0 ? ", nothing stored" : "")}");
                }
            }

            output.WriteLine($"{exchange.ToName()}: {missingOnExchange} trades missing");
        }

        output.WriteLine(lost.Length == 0 ? $"Storm seed {seed}: silver holds every printed trade." : lost.ToString());
        if (lost.Length > 0)
        {
            await WatchLateArrivalsAsync(k2, printed, ct);
        }

        return lost.ToString();
    }

    /// <summary>
    /// Issue #11, item 4: after a few clean seconds, every exchange's stream drops its trades (a skip) and then every
    /// symbol goes quiet (the simulator pauses) before a later trade could show the gap. Each exchange must serve every
    /// printed trade within <see cref="TrailingRepairLimit"/> of its last one. Returns what is wrong (empty when nothing is).
    /// </summary>
    private async Task<string> RunTrailingGapAsync(K2Process k2, ExchangeSimulator simulator, CancellationToken ct)
    {
        // The trailing gap is timed on its own: REST refusals a storm armed near its end wait for the next request,
        // which would be the gap's repair (three Kraken throttles add 15 s of pauses).
        foreach (var exchange in Exchanges)
        {
            output.WriteLine($"Trailing gap: {exchange.ToName()} had {simulator.Faults.DisarmPending(exchange)} armed fault(s) left by the storms, disarmed");
        }

        simulator.Resume();
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var before = Exchanges.ToDictionary(e => e, e => simulator.GroundTruth.All.Count(t => t.Exchange == e));
        var connections = new Dictionary<Exchange, int>();
        foreach (var exchange in Exchanges)
        {
            connections[exchange] = (await k2.ExchangeStatusAsync(exchange, ct)).GetProperty("connections").GetInt32();
            simulator.Faults.SkipWebSocketTrades(exchange, TimeSpan.FromSeconds(10));
        }

        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        simulator.Pause();
        var printed = Printed(simulator);
        var lastTrade = Exchanges.ToDictionary(e => e, e => simulator.GroundTruth.All.Where(t => t.Exchange == e).Max(t => t.TradeTime).ToDateTimeOffset());
        var problems = new StringBuilder();
        foreach (var exchange in Exchanges)
        {
            var skipped = simulator.GroundTruth.All.Count(t => t.Exchange == exchange) - before[exchange];
            output.WriteLine($"Trailing gap: {exchange.ToName()} printed {skipped} trade(s) during the skip; last trade at {lastTrade[exchange]:HH:mm:ss.fff}; paused at {Now()}");
            if (skipped == 0)
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"trailing gap: {exchange.ToName()} printed nothing during the skip, so nothing was tested");
            }
        }

        var pending = Exchanges.ToHashSet();
        var deadline = lastTrade.Values.Max() + TrailingRepairLimit + TimeSpan.FromSeconds(15);
        while (pending.Count > 0 && DateTimeOffset.UtcNow < deadline)
        {
            var incomplete = await IncompleteAsync(k2, printed, [.. AllSymbols(printed).Where(x => pending.Contains(x.Exchange))], ct);
            var checkedAt = DateTimeOffset.UtcNow;
            foreach (var exchange in pending.Where(e => incomplete.All(x => x.Exchange != e)).ToList())
            {
                pending.Remove(exchange);
                var took = checkedAt - lastTrade[exchange];
                var reconnects = (await k2.ExchangeStatusAsync(exchange, ct)).GetProperty("connections").GetInt32() - connections[exchange];
                output.WriteLine($"Trailing gap: {exchange.ToName()} complete {took.TotalSeconds:0.0} s after its last trade ({reconnects} reconnect(s) meanwhile)");
                if (took > TrailingRepairLimit)
                {
                    problems.AppendLine(CultureInfo.InvariantCulture, $"trailing gap: {exchange.ToName()} took {took.TotalSeconds:0.0} s, more than {TrailingRepairLimit.TotalSeconds} s");
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }

        foreach (var exchange in pending)
        {
            problems.AppendLine(CultureInfo.InvariantCulture, $"trailing gap: {exchange.ToName()} still incomplete {(DateTimeOffset.UtcNow - lastTrade[exchange]).TotalSeconds:0} s after its last trade");
        }

        return problems.ToString();
    }

    /// <summary>Every <see cref="StatusPollInterval"/>, whether each exchange has an open gap or a repair queued or in flight.</summary>
    private static async Task PollRepairsAsync(K2Process k2, ConcurrentQueue<(DateTimeOffset At, Dictionary<Exchange, bool> Busy)> busy, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var status = await k2.GetJsonAsync("/v1/status", ct);
                busy.Enqueue((DateTimeOffset.UtcNow, Exchanges.ToDictionary(e => e, e =>
                    status.GetProperty("ingest").GetProperty(e.ToName()).GetProperty("gaps_open").GetInt64() > 0
                    || status.GetProperty("backfill").GetProperty(e.ToName()).GetProperty("repairs_pending").GetInt32() > 0)));
                await Task.Delay(StatusPollInterval, ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The storm's checks are over.
        }
    }

    /// <summary>
    /// Seconds from <paramref name="lastFault"/> (its end, for a skip or stall) to the first poll after it that found the
    /// exchange with nothing open or pending, and nothing later; "unrepaired" when no such poll came.
    /// </summary>
    private static string RepairTime(ConcurrentQueue<(DateTimeOffset At, Dictionary<Exchange, bool> Busy)> polls, Exchange exchange, DateTimeOffset lastFault)
    {
        var after = polls.Where(p => p.At >= lastFault).ToList();
        var lastBusy = after.FindLastIndex(p => p.Busy[exchange]);
        return lastBusy == after.Count - 1
            ? "unrepaired"
            : string.Create(CultureInfo.InvariantCulture, $"{(after[lastBusy + 1].At - lastFault).TotalSeconds:0.00}s");
    }

    private static Dictionary<Exchange, Dictionary<string, List<string>>> Printed(ExchangeSimulator simulator) =>
        Exchanges.ToDictionary(e => e, e => Registry.ForExchange(e).ToDictionary(
            i => i.Symbol,
            i => simulator.GroundTruth.For(e, i.ExchangeSymbol).Select(t => t.TradeId.ToString(CultureInfo.InvariantCulture)).ToList()));

    private static List<(Exchange Exchange, string Symbol)> AllSymbols(Dictionary<Exchange, Dictionary<string, List<string>>> printed) =>
        [.. Exchanges.SelectMany(e => printed[e].Keys.Select(symbol => (e, symbol)))];

    /// <summary>
    /// Whether what was missing at the end of the catch-up window is late or lost: for up to <see cref="LateWindow"/>
    /// more, when each incomplete symbol became complete.
    /// </summary>
    private async Task WatchLateArrivalsAsync(K2Process k2, Dictionary<Exchange, Dictionary<string, List<string>>> printed, CancellationToken ct)
    {
        var incomplete = await IncompleteAsync(k2, printed, AllSymbols(printed), ct);
        output.WriteLine($"{Now()} watching {incomplete.Count} incomplete symbol(s) for up to {LateWindow.TotalSeconds} s more: late, or lost?");
        var started = TimeProvider.System.GetTimestamp();
        while (incomplete.Count > 0 && TimeProvider.System.GetElapsedTime(started) < LateWindow)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var still = await IncompleteAsync(k2, printed, incomplete, ct);
            foreach (var (exchange, symbol) in incomplete.Except(still))
            {
                output.WriteLine($"{Now()} {exchange.ToName()}/{symbol} complete, {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s later");
            }

            incomplete = still;
        }

        foreach (var (exchange, symbol) in incomplete)
        {
            output.WriteLine($"{Now()} {exchange.ToName()}/{symbol} still incomplete {LateWindow.TotalSeconds} s later");
        }
    }

    /// <summary>The symbols among <paramref name="candidates"/> that do not yet serve every printed trade from their first stored one on.</summary>
    private static async Task<List<(Exchange Exchange, string Symbol)>> IncompleteAsync(
        K2Process k2, Dictionary<Exchange, Dictionary<string, List<string>>> printed, List<(Exchange Exchange, string Symbol)> candidates, CancellationToken ct)
    {
        var incomplete = new List<(Exchange, string)>();
        foreach (var (exchange, symbol) in candidates)
        {
            var served = await TradeIdsAsync(k2, exchange, symbol, ct);
            var truth = printed[exchange][symbol];
            var first = truth.FindIndex(served.Contains);
            if (first < 0 || !truth[first..].All(served.Contains))
            {
                incomplete.Add((exchange, symbol));
            }
        }

        return incomplete;
    }

    /// <summary>The longest time between two consecutive lines of K2's log (each starts with its UTC timestamp), or from the last to <paramref name="end"/>.</summary>
    private static string LongestSilence(List<string> lines, DateTimeOffset end)
    {
        List<DateTimeOffset> times = [.. lines
            .Select(l => DateTimeOffset.TryParse(l.AsSpan(0, Math.Min(24, l.Length)), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTimeOffset?)null)
            .OfType<DateTimeOffset>(), end];
        var longest = (From: end, To: end);
        for (var i = 1; i < times.Count; i++)
        {
            if (times[i] - times[i - 1] > longest.To - longest.From)
            {
                longest = (times[i - 1], times[i]);
            }
        }

        var until = longest.To == end ? "the end of the test" : longest.To.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        return times.Count < 2
            ? "The Kraken backfill worker logged nothing."
            : $"Longest silence of the Kraken backfill worker: {(longest.To - longest.From).TotalSeconds:0.0} s, {longest.From:HH:mm:ss.fff} to {until}";
    }

    /// <summary>"a..b (n)" for each run of consecutive missing ids in print order.</summary>
    private static string Ranges(List<string> printed, HashSet<string> missing)
    {
        var runs = new List<string>();
        for (var i = 0; i < printed.Count; i++)
        {
            if (!missing.Contains(printed[i]))
            {
                continue;
            }

            var start = i;
            while (i + 1 < printed.Count && missing.Contains(printed[i + 1]))
            {
                i++;
            }

            runs.Add($"{printed[start]}..{printed[i]} ({i - start + 1})");
        }

        return string.Join(", ", runs);
    }

    /// <summary>Every change of the simulator's count of Kraken REST faults served, with its time: when K2's requests went out and were refused.</summary>
    private static async Task WatchRestFaultsAsync(SimulatorFaults faults, ConcurrentQueue<string> changes, CancellationToken cancellationToken)
    {
        var last = 0;
        try
        {
            while (true)
            {
                var now = faults.Counts(Exchange.Kraken).GetValueOrDefault(FaultKind.RestThrottled);
                if (now != last)
                {
                    changes.Enqueue($"{Now()} kraken throttled replies {last} -> {now}");
                    last = now;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The test is over.
        }
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>
    /// K2 against the simulator on every exchange, with <c>k2 run --simulate</c>'s defaults otherwise (Kraken REST at
    /// 1 request/s, throttle pause from 5 s): the settings the issue's operator ran.
    /// </summary>
    private static Dictionary<string, string> Environment(ExchangeSimulator simulator)
    {
        var settings = K2Process.AsEnvironment(simulator.K2Settings);
        settings["K2__Exchanges__Binance__Enabled"] = "true";
        settings["K2__Exchanges__Kraken__Enabled"] = "true";
        settings["K2__Exchanges__Coinbase__Enabled"] = "true";

        // Evidence only: the backfill worker's Debug line tells a request skipped because it filled while it waited.
        settings["Logging__LogLevel__K2.Grains.Backfill"] = "Debug";

        // Evidence only: an instrument's Debug line tells each probe of a quiet spell.
        settings["Logging__LogLevel__K2.Grains.Instruments"] = "Debug";
        return settings;
    }

    private static async Task<HashSet<string>> TradeIdsAsync(K2Process k2, Exchange exchange, string symbol, CancellationToken ct)
    {
        var trades = await k2.TradesAsync(exchange, symbol, ct);
        trades.Count.ShouldBeLessThan(K2Process.MaxTradesPage, $"{exchange.ToName()}/{symbol}: more trades than one page; the comparison would miss some");
        return [.. trades.Select(t => t.GetProperty("trade_id").GetString()!)];
    }
}
