using System.Diagnostics;
using System.Globalization;
using K2.Benchmarks.HotStore;
using K2.Core;
using K2.Storage.Iceberg.Parquet;
using K2.Testing;

namespace K2.Benchmarks.Api;

/// <summary>
/// Issue 13's three API numbers, measured on loopback against <c>k2 run --simulate</c> (the silo with its embedded
/// store, ingesting the simulator's trades): the newest 100 trades of one symbol and one day of 1m candles with wrk,
/// and a streamed export of the synthetic range as CSV and as Parquet with k2's memory watched. The data directory
/// (<see cref="ApiDataSet"/>) is built in four states, each in a directory of its own, and k2 is started once on each
/// (its working directory the data directory, where chDB's icebergLocal may read): the simulator's trades alone (the
/// issue's baseline), the synthetic rows in the hot tier only (no cold table), in both tiers after
/// <c>k2 offload --now</c>, and in the cold tier only after they are deleted from the hot tables.
/// Between the states, in-process probes time the same reads without HTTP. Every k2 runs with its rate limit and its
/// schedules (offload, maintenance) off, so neither changes what is measured.
/// </summary>
internal static class ApiBenchmark
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    /// <summary>An export reads the cold tier alone: ingest only needs to be running.</summary>
    private static readonly TimeSpan ExportWarmup = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = HarnessArguments.Parse(args, "--trades", "--days", "--seconds", "--runs", "--warmup-seconds", "--probe-runs", "--cases");
        var tradeCount = arguments.Int64("--trades", 1_000_000, min: 1);
        var days = (int)arguments.Int64("--days", 4, min: 1);
        // Defaults that keep the whole run under 10 minutes on 2 shared cores: wrk's percentiles settle within seconds
        // at these rates, and ingest has filled a page of newest trades well before the warm-up ends.
        var duration = TimeSpan.FromSeconds(arguments.Int64("--seconds", 5, min: 1));
        var runs = (int)arguments.Int64("--runs", 3, min: 1);
        // Long enough for the instrument grain to give up the gap between the synthetic trades' ids and the simulator's
        // (five answered fetches, 30 s of retry delays): until then its memory cannot answer the latest trades.
        var warmup = TimeSpan.FromSeconds(arguments.Int64("--warmup-seconds", 40, min: 0));
        var probeRuns = arguments.Int64("--probe-runs", 100, min: 1);
        // The exports alone take two minutes of the ten: enough to compare export settings.
        var exportsOnly = arguments.Choice("--cases", "all", "all", "exports") == "exports";
        var whole = Stopwatch.StartNew();
        MachineReport.PrintHeader("api");

        using var directory = new TempDirectory("k2-api-bench");
        // Whole UTC days ending two days before today: inside the hot tier's 30 days, clear of the simulator's trades.
        var firstDay = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 86_400) - days - 2;
        // Every k2 starts on a directory no k2 ran on before: a restarted simulator numbers its trades from its start
        // time in milliseconds, so a second k2 run on the same directory would spend its first minutes repairing the
        // restart's gap on every instrument, and merging what the repairs write, while it is measured.
        ApiDataSet Data(string name) => new(Path.Combine(directory.Path, name), firstDay, days, tradeCount);
        var shape = Data("shape");
        var bench = new Bench(shape, duration, runs, warmup);
        Console.WriteLine($"  data under {directory.Path}: {tradeCount:N0} trades of {ApiDataSet.Exchange}/{ApiDataSet.Symbol} over [{shape.From}, {shape.To}) " +
                          $"and {ApiDataSet.RecentTrades:N0} in the hour before the fill, 1m candles of [{shape.CandleDay}, {shape.CandleDayEnd}); " +
                          $"wrk runs of {duration.TotalSeconds} s, {runs} per case; k2: {K2Process.SiloAssemblyPath}");

        var ok = exportsOnly || await QueryCasesAsync();

        // Each format in a k2 of its own, on a directory of its own, so its first export is the process's first.
        foreach (var format in new[] { "csv", "parquet" })
        {
            Console.WriteLine($"  ({whole.Elapsed.TotalMinutes:0.0} min so far)");
            Console.WriteLine($"== exports as {format}: the synthetic range from the cold tier only");
            var exportData = Data($"export-{format}");
            ok &= await exportData.RunChildStepAsync("fill") && await exportData.OffloadAsync() && await exportData.RunChildStepAsync("drop");
            ok &= await bench.WithK2Async(exportData, k2 => bench.ExportsAsync(k2, format), ExportWarmup);
        }

        MachineReport.PrintLoad("at end");
        Console.WriteLine($"  the whole run took {whole.Elapsed.TotalMinutes:0.0} min");
        return ok ? 0 : 1;

        async Task<bool> QueryCasesAsync()
        {
            Console.WriteLine("== 0. the simulator's trades only (as the issue's baseline): no synthetic rows, no cold table");
            var simulatorOnly = Data("simulator-only");
            var answered = await bench.WithK2Async(simulatorOnly, async k2 =>
            {
                await bench.WrkAsync(k2, "/health/live", 1, "/health/live, 1 connection");
                await bench.WrkAsync(k2, "/health/live", 16, "/health/live, 16 connections");
                await bench.LatestAsync(k2, "simulator only");
            });
            answered &= await simulatorOnly.RunChildStepAsync("probe", "--probe-runs", $"{probeRuns}");

            Console.WriteLine($"  ({whole.Elapsed.TotalMinutes:0.0} min so far)");
            Console.WriteLine("== 1. synthetic rows in the hot tier only; no cold table in the catalog");
            var hotOnly = Data("hot-only");
            answered &= await hotOnly.RunChildStepAsync("fill");
            answered &= await bench.WithK2Async(hotOnly, async k2 =>
            {
                await bench.LatestAsync(k2, "hot only");
                await bench.CandlesAsync(k2, "hot only");
            });
            answered &= await hotOnly.RunChildStepAsync("probe", "--probe-runs", $"{probeRuns}");

            Console.WriteLine($"  ({whole.Elapsed.TotalMinutes:0.0} min so far)");
            Console.WriteLine("== 2. synthetic rows in both tiers (k2 offload --now)");
            var bothTiers = Data("both-tiers");
            answered &= await bothTiers.RunChildStepAsync("fill") && await bothTiers.OffloadAsync();
            answered &= await bench.WithK2Async(bothTiers, async k2 =>
            {
                await bench.LatestAsync(k2, "both tiers");
                await bench.CandlesAsync(k2, "both tiers");
            });
            answered &= await bothTiers.RunChildStepAsync("probe", "--probe-runs", $"{probeRuns}");

            Console.WriteLine($"  ({whole.Elapsed.TotalMinutes:0.0} min so far)");
            Console.WriteLine("== 3. synthetic rows in the cold tier only (offloaded, then deleted from the hot tables)");
            var coldOnly = Data("cold-only");
            answered &= await coldOnly.RunChildStepAsync("fill") && await coldOnly.OffloadAsync() && await coldOnly.RunChildStepAsync("drop");
            answered &= await bench.WithK2Async(coldOnly, async k2 =>
            {
                await bench.LatestAsync(k2, "cold only");
                await bench.CandlesAsync(k2, "cold only");
            });
            answered &= await coldOnly.RunChildStepAsync("probe", "--probe-runs", $"{probeRuns}");
            return answered;
        }
    }

    private static string Load() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Iso(UnixMicros time) => time.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed class Bench(ApiDataSet shape, TimeSpan duration, int runs, TimeSpan warmup)
    {
        private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(5);

        /// <summary>k2's CPU use, in cores, with the simulator's trades coming in and no request.</summary>
        private double _idleCores;

        private string LatestPath => $"/v1/trades?exchange={ApiDataSet.Exchange}&symbol={ApiDataSet.Symbol}&limit=100";

        private string CandlesPath =>
            $"/v1/candles?exchange={ApiDataSet.Exchange}&symbol={ApiDataSet.Symbol}&timeframe=1m&from={Iso(shape.CandleDay)}&to={Iso(shape.CandleDayEnd)}&limit=1440";

        private string ExportPath(string format) =>
            $"/v1/trades?exchange={ApiDataSet.Exchange}&symbol={ApiDataSet.Symbol}&from={Iso(shape.From)}&to={Iso(shape.To)}&format={format}";

        /// <summary>Starts <c>k2 run --simulate</c> on <paramref name="data"/>'s directory, lets the simulator's trades build up, runs <paramref name="measure"/>, stops k2.</summary>
        public async Task<bool> WithK2Async(ApiDataSet data, Func<K2Process, Task> measure, TimeSpan? warmupOverride = null)
        {
            var wait = warmupOverride ?? warmup;
            var environment = new Dictionary<string, string>
            {
                ["K2__Api__RateLimit__Enabled"] = "false",
                ["K2__Schedules__Enabled"] = "false",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            System.IO.Directory.CreateDirectory(data.Directory);
            await using var k2 = K2Process.Start(data.Directory, ["--simulate"], environment);
            await k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(120), CancellationToken.None);
            Console.WriteLine($"  k2 {k2.Id} ready, RSS {new ProcessStatus(k2.Id).RssBytes / 1048576:N0} MB; {wait.TotalSeconds} s of ingest before measuring");
            await Task.Delay(wait);
            // What ingest alone costs, so a case's CPU per request can leave it out.
            var status = new ProcessStatus(k2.Id);
            var (cpuBefore, started) = (status.CpuTime, Stopwatch.GetTimestamp());
            await Task.Delay(IdleWindow);
            _idleCores = (status.CpuTime - cpuBefore) / Stopwatch.GetElapsedTime(started);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  k2 CPU while ingesting without requests: {_idleCores:0.000} cores"));
            await measure(k2);
            var exitCode = await k2.StopAsync(StopTimeout, CancellationToken.None);
            Console.WriteLine($"  k2 stopped with exit code {exitCode}");
            return exitCode == 0;
        }

        public async Task LatestAsync(K2Process k2, string state)
        {
            var body = await k2.GetJsonAsync(LatestPath, CancellationToken.None);
            var trades = body.GetProperty("trades").EnumerateArray().ToList();
            var newest = DateTimeOffset.Parse(trades[0].GetProperty("exchange_ts").GetString()!, CultureInfo.InvariantCulture);
            Console.WriteLine($"  check: {LatestPath} -> {trades.Count} trades, the newest {(DateTimeOffset.UtcNow - newest).TotalSeconds:0.0} s old");
            await WrkAsync(k2, LatestPath, 1, $"newest 100 trades, {state}, 1 connection");
            await WrkAsync(k2, LatestPath, 16, $"newest 100 trades, {state}, 16 connections");
        }

        public async Task CandlesAsync(K2Process k2, string state)
        {
            var body = await k2.GetJsonAsync(CandlesPath, CancellationToken.None);
            Console.WriteLine($"  check: {CandlesPath} -> {body.GetProperty("candles").GetArrayLength()} candles");
            await WrkAsync(k2, CandlesPath, 1, $"one day of 1m candles, {state}, 1 connection");
        }

        /// <summary>The given number of wrk runs of one case, each with the load average before and after, then the medians.</summary>
        public async Task WrkAsync(K2Process k2, string path, int connections, string name)
        {
            var status = new ProcessStatus(k2.Id);
            var results = new List<(WrkRun Wrk, double CpuMs)>();
            for (var run = 1; run <= runs; run++)
            {
                var loadBefore = Load();
                var (cpuBefore, started) = (status.CpuTime, Stopwatch.GetTimestamp());
                var result = await WrkRun.RunAsync(new Uri(k2.BaseAddress, path), connections, duration);
                var cpu = status.CpuTime - cpuBefore - (Stopwatch.GetElapsedTime(started) * _idleCores);
                var cpuPerRequest = cpu.TotalMilliseconds / Math.Max(1, result.Requests);
                results.Add((result, cpuPerRequest));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {name}, run {run}: {result.RequestsPerSecond:N1} req/s, p50 {result.P50Ms:0.00} ms, p99 {result.P99Ms:0.00} ms, " +
                    $"k2 CPU {cpuPerRequest:0.00} ms per request over ingest, {result.Requests:N0} requests, non-2xx {result.Non2xx}, " +
                    $"socket errors {result.SocketErrors}; load {loadBefore} -> {Load()}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name}: MEDIAN {Median(results.Select(r => r.Wrk.RequestsPerSecond)):N1} req/s, p50 {Median(results.Select(r => r.Wrk.P50Ms)):0.00} ms, " +
                $"p99 {Median(results.Select(r => r.Wrk.P99Ms)):0.00} ms, k2 CPU {Median(results.Select(r => r.CpuMs)):0.00} ms per request"));
        }

        /// <summary>The process's first export of <paramref name="format"/>, then the given number more, each with k2's memory watched.</summary>
        public async Task ExportsAsync(K2Process k2, string format)
        {
            var memory = new ProcessStatus(k2.Id);
            var rates = new List<double>();
            var growths = new List<double>();
            for (var run = 0; run <= runs; run++)
            {
                var loadBefore = Load();
                memory.ResetPeak();
                var before = memory.RssBytes;
                using var stopSampling = new CancellationTokenSource();
                var sampling = memory.HighestSampledAsync(TimeSpan.FromMilliseconds(10), stopSampling.Token);
                var started = Stopwatch.GetTimestamp();
                var (bytes, rows) = await DownloadAsync(k2, format);
                var elapsed = Stopwatch.GetElapsedTime(started);
                await stopSampling.CancelAsync();
                var sampled = await sampling;
                var peak = Math.Max(memory.PeakBytes, sampled);
                var rate = rows / elapsed.TotalSeconds;
                var growth = (peak - before) / 1048576.0;
                if (run > 0)
                {
                    rates.Add(rate);
                    growths.Add(growth);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    export {format}, {(run == 0 ? "first" : $"warm {run}")}: {rows:N0} rows, {bytes:N0} bytes in {elapsed.TotalSeconds:0.000} s = {rate:N0} rows/s; " +
                    $"RSS before {before / 1048576.0:N0} MB, peak +{growth:N0} MB (VmHWM {memory.PeakBytes / 1048576.0:N0}, sampled {sampled / 1048576.0:N0}), " +
                    $"after {memory.RssBytes / 1048576.0:N0} MB; load {loadBefore} -> {Load()}"));
                if (rows != shape.Trades)
                {
                    throw new InvalidOperationException($"The {format} export has {rows} rows, not {shape.Trades}.");
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  export {format}, warm: MEDIAN {Median(rates):N0} rows/s, RSS growth {Median(growths):N0} MB (max {growths.Max():N0})"));
        }

        /// <summary>Reads the export to its end; returns its bytes and its rows (CSV lines after the header; the Parquet footer's count).</summary>
        private async Task<(long Bytes, long Rows)> DownloadAsync(K2Process k2, string format)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ExportPath(format));
            using var response = await k2.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1 << 16];
            var file = format == "parquet" ? new MemoryStream() : null;
            long bytes = 0, lines = 0;
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                bytes += read;
                if (file is not null)
                {
                    file.Write(buffer, 0, read);
                }
                else
                {
                    lines += buffer.AsSpan(0, read).Count((byte)'\n');
                }
            }

            return (bytes, file is null ? lines - 1 : ParquetFooter.Read(file.GetBuffer().AsSpan(0, (int)file.Length)).RowCount);
        }
    }
}
