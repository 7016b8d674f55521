using System.Diagnostics;
using System.Globalization;
using K2.Benchmarks.Api;
using K2.Benchmarks.HotStore;
using K2.Testing;

namespace K2.Benchmarks.Metrics;

/// <summary>
/// What a Prometheus scrape of <c>/metrics</c> costs a silo (issue 15): <c>k2 run --simulate</c> ingests from all three
/// exchanges with the scrape cache off (every scrape collects), and k2's CPU time is read from <c>/proc</c> around a
/// series of back-to-back scrapes. A scrape's CPU is that time less what ingest used over the same wall time (measured
/// alone just before), divided by the scrapes; at Prometheus' interval it is a share of a core, set beside ingest's.
/// </summary>
internal static class ScrapeCostBenchmark
{
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = HarnessArguments.Parse(args, "--scrapes", "--runs", "--warmup-seconds", "--interval-seconds");
        var scrapes = (int)arguments.Int64("--scrapes", 200, min: 1);
        var runs = (int)arguments.Int64("--runs", 3, min: 1);
        var warmup = TimeSpan.FromSeconds(arguments.Int64("--warmup-seconds", 30, min: 0));
        var interval = TimeSpan.FromSeconds(arguments.Int64("--interval-seconds", 15, min: 1));
        MachineReport.PrintHeader("scrape");

        using var directory = new TempDirectory("k2-scrape-bench");
        var environment = new Dictionary<string, string>
        {
            ["K2__Metrics__ScrapeCacheDuration"] = "00:00:00",
            ["K2__Schedules__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var k2 = K2Process.Start(directory.Path, ["--simulate"], environment);
        await k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(120), CancellationToken.None);
        await Task.Delay(warmup);
        var status = new ProcessStatus(k2.Id);
        using var http = new HttpClient { BaseAddress = k2.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var perScrape = new List<double>();
        var ingestCores = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var (idleCpu, idleStart) = (status.CpuTime, Stopwatch.GetTimestamp());
            await Task.Delay(IdleWindow);
            var ingest = (status.CpuTime - idleCpu) / Stopwatch.GetElapsedTime(idleStart);

            var (cpu, start) = (status.CpuTime, Stopwatch.GetTimestamp());
            long bytes = 0;
            var samples = 0;
            for (var i = 0; i < scrapes; i++)
            {
                var text = await http.GetStringAsync("/metrics");
                bytes = text.Length;
                samples = text.Split('\n').Count(l => l.Length > 0 && l[0] != '#');
            }

            var wall = Stopwatch.GetElapsedTime(start);
            var scrapeCpu = ((status.CpuTime - cpu) - (wall * ingest)) / scrapes;
            perScrape.Add(scrapeCpu.TotalMilliseconds);
            ingestCores.Add(ingest);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run}: {scrapes} scrapes in {wall.TotalSeconds:0.00} s, {bytes:N0} bytes and {samples:N0} samples each; " +
                $"CPU per scrape {scrapeCpu.TotalMilliseconds:0.00} ms over ingest's {ingest:0.000} cores; load {Load()}"));
        }

        var median = Median(perScrape);
        var ingestMedian = Median(ingestCores);
        var share = median / interval.TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  MEDIAN CPU per scrape {median:0.00} ms; at one scrape every {interval.TotalSeconds:0} s that is {share * 100:0.000}% of a core, " +
            $"{share / ingestMedian * 100:0.00}% of ingest's {ingestMedian:0.000} cores"));
        var exitCode = await k2.StopAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        MachineReport.PrintLoad("at end");
        return exitCode == 0 ? 0 : 1;
    }

    private static string Load() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
