using System.Diagnostics;
using System.Globalization;
using K2.Benchmarks.HotStore;
using K2.Core;
using K2.Core.Instruments;
using K2.Simulator;
using K2.Testing;

namespace K2.Benchmarks.Pipeline;

/// <summary>
/// The whole ingest path at a steady rate, through process boundaries only, so the same harness measures K2 before and
/// after a change of its insides (the grain runtime): the simulator prints trades on all three exchanges in their wire
/// formats, and <c>k2 run</c> (a child process, embedded chDB) parses the frames, routes them through its exchange and
/// instrument grains, and writes bronze, silver and candles. After a warm-up it measures two windows of the same length:
/// first the trades printed and stored and K2's CPU time per trade (its own process only: the simulator runs in this
/// one); then print-to-visible latency, with one poller per exchange asking <c>/v1/trades</c> for one symbol's newest
/// trades (a trade first seen by a poll became visible after the previous poll started and before this one returned).
/// Its peak memory is reported at the end.
/// Coinbase sends what traded in the last 250 ms as one update, so its latency includes up to 250 ms of batching.
/// </summary>
internal static class PipelineBenchmark
{
    private static readonly Exchange[] Exchanges = [Exchange.Binance, Exchange.Kraken, Exchange.Coinbase];
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Newest trades asked for per poll: several polls' worth of one symbol's trades at the default rate.</summary>
    private const int PollLimit = 300;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = HarnessArguments.Parse(args, "--rate", "--seconds", "--warmup-seconds", "--poll-ms");
        var rate = arguments.Double("--rate", 10_000, min: 3);
        var window = TimeSpan.FromSeconds(arguments.Double("--seconds", 60, min: 1));
        var warmup = TimeSpan.FromSeconds(arguments.Double("--warmup-seconds", 15, min: 0));
        var pollInterval = TimeSpan.FromMilliseconds(arguments.Double("--poll-ms", 5, min: 0));
        var registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
        MachineReport.PrintHeader("pipeline");
        Console.WriteLine($"  load: {rate:N0} trades/s printed ({rate / Exchanges.Length:N0}/s per exchange over {registry.All.Count} instruments), " +
                          $"{warmup.TotalSeconds} s warm-up, then {window.TotalSeconds} s measured; k2: {K2Process.SiloAssemblyPath}");

        var simulatorOptions = new SimulatorOptions { TradesPerSecond = rate / Exchanges.Length };
        await using var simulator = await ExchangeSimulator.StartAsync(simulatorOptions, registry, null, CancellationToken.None);
        using var data = new TempDirectory("k2-pipeline");
        var environment = K2Process.AsEnvironment(simulator.K2Settings);
        foreach (var exchange in Exchanges)
        {
            environment[$"K2__Exchanges__{exchange.ToName()}__Enabled"] = "true";
        }

        // What K2 prints costs CPU too; the same quiet level before and after a change.
        environment["Logging__LogLevel__Default"] = "Warning";
        await using var k2 = K2Process.Start(data.Path, [], environment);
        await k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(120), CancellationToken.None);
        await Task.Delay(warmup);

        // First K2 alone (its CPU per trade would otherwise include the latency poller's queries), then the latency.
        var printedBefore = LastIds(simulator, registry);
        var storedBefore = await StoredAsync(k2);
        var cpuBefore = CpuTime(k2.Id);
        var started = Stopwatch.GetTimestamp();
        MachineReport.PrintLoad("when measuring starts");
        await Task.Delay(window);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = CpuTime(k2.Id) - cpuBefore;
        var stored = await StoredAsync(k2) - storedBefore;
        var printed = LastIds(simulator, registry).Sum(p => p.Value - printedBefore.GetValueOrDefault(p.Key));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  printed {printed:N0} trades ({printed / elapsed.TotalSeconds:N0}/s), stored {stored:N0} ({stored / elapsed.TotalSeconds:N0}/s) in {elapsed.TotalSeconds:0.0} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  k2 CPU {cpu.TotalSeconds:0.0} s ({cpu / elapsed:0.00} cores), {cpu.TotalMicroseconds / Math.Max(1, stored):0.0} µs per stored trade"));

        using var stopPolling = new CancellationTokenSource(window);
        var watched = Exchanges.Select(e => registry.ForExchange(e)[0]).ToList();
        var latencies = await Task.WhenAll(watched.Select(i => Task.Run(() => PollAsync(k2, i, pollInterval, stopPolling.Token))));
        MachineReport.PrintLoad("at the end");
        Console.WriteLine($"  peak RSS {PeakMemoryMegabytes(k2.Id):N0} MB");
        foreach (var (instrument, (upper, lower)) in watched.Zip(latencies))
        {
            Console.WriteLine($"  print to visible, {instrument.Key}, upper bound (ms): {Distribution.Describe(upper, "0.0")}");
            Console.WriteLine($"  print to visible, {instrument.Key}, lower bound (ms): {Distribution.Describe(lower, "0.0")}");
        }

        var exitCode = await k2.StopAsync(StopTimeout, CancellationToken.None);
        Console.WriteLine($"  k2 stopped with exit code {exitCode}");
        return exitCode == 0 && stored > 0 ? 0 : 1;
    }

    /// <summary>
    /// Polls one symbol's newest trades until stopped, and notes for each trade first seen both bounds of its latency:
    /// it became visible after the previous poll started and before this one returned.
    /// </summary>
    private static async Task<(List<double> Upper, List<double> Lower)> PollAsync(K2Process k2, Instrument instrument, TimeSpan interval, CancellationToken stop)
    {
        var (upper, lower) = (new List<double>(), new List<double>());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? previousPollStart = null;
        try
        {
            while (true)
            {
                var pollStart = DateTimeOffset.UtcNow;
                var body = await k2.GetJsonAsync($"/v1/trades?exchange={instrument.Exchange.ToName()}&symbol={instrument.Symbol}&limit={PollLimit}", stop);
                var pollEnd = DateTimeOffset.UtcNow;
                foreach (var trade in body.GetProperty("trades").EnumerateArray())
                {
                    // Counted once; on the first poll, visible since before the window.
                    if (seen.Add(trade.GetProperty("trade_id").GetString()!) && previousPollStart is { } previous)
                    {
                        var printedAt = DateTimeOffset.Parse(trade.GetProperty("exchange_ts").GetString()!, CultureInfo.InvariantCulture);
                        upper.Add((pollEnd - printedAt).TotalMilliseconds);
                        lower.Add(Math.Max(0, (previous - printedAt).TotalMilliseconds));
                    }
                }

                previousPollStart = pollStart;
                await Task.Delay(interval, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return (upper, lower); // the window is over
        }
    }

    /// <summary>Each symbol's last printed trade id: the simulator numbers every symbol's trades without holes.</summary>
    private static Dictionary<string, long> LastIds(ExchangeSimulator simulator, InstrumentRegistry registry) =>
        registry.All.ToDictionary(i => i.Key, i => simulator.GroundTruth.For(i.Exchange, i.ExchangeSymbol) is [.., var last] ? last.TradeId : 0);

    /// <summary>Trades K2 has handed to its silver writer, over every exchange, from its status.</summary>
    private static async Task<long> StoredAsync(K2Process k2)
    {
        var status = await k2.GetJsonAsync("/v1/status", CancellationToken.None);
        return status.GetProperty("ingest").EnumerateObject().Sum(e => e.Value.GetProperty("trades_stored").GetInt64());
    }

    /// <summary>User plus system CPU time of a process, from <c>/proc/PID/stat</c> (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static TimeSpan CpuTime(int pid)
    {
        const double TicksPerSecond = 100;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromSeconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond);
    }

    /// <summary>The process's peak resident memory (<c>VmHWM</c>), in MB.</summary>
    private static long PeakMemoryMegabytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status")
            .Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024)
            .Single();
}
