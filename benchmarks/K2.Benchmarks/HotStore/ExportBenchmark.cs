using System.Diagnostics;
using System.Globalization;
using K2.Storage;
using K2.Storage.ClickHouse;
using K2.Storage.Hosting;
using K2.Storage.Iceberg.Parquet;
using K2.Storage.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Benchmarks.HotStore;

/// <summary>
/// Streamed export throughput and memory (issue 13): a fresh embedded hot store whose <c>silver_trades</c> holds one
/// symbol with <c>--small</c> trades and another with <c>--large</c>, each exported through
/// <see cref="IClickHouseClient.QueryStreamAsync"/> as CSV and as Parquet into a writer that only counts the bytes, in
/// the table's order and in exchange-time order (a sort the engine must finish before the first row). Each case runs
/// in a process of its own (<c>export-case</c>), so no case inherits memory another left resident: after opening the
/// store it exports a 10,000-trade symbol the same way (engine caches and arenas warm up), then the case's symbol once
/// (its growth over the RSS it started from is "first"), then <c>--runs</c> times with the peak RSS reset before each
/// (<c>/proc/self/clear_refs</c>); rows/s is over the measured runs. A buffered CSV
/// export of each symbol is shown for comparison. All under a temporary directory removed at the end.
/// </summary>
internal static class ExportBenchmark
{
    private const string Exchange = "binance";

    private const string Columns = "exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts";

    /// <summary>The symbol each case exports first, in its format and order, so engine caches and arenas exist before the measured runs.</summary>
    private const long WarmUpRows = 10_000;

    private static readonly (string Name, string OrderBy)[] Orders = [("table order", "trade_id"), ("by exchange_ts", "exchange_ts, trade_id")];

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = HarnessArguments.Parse(args, "--small", "--large", "--runs");
        var sizes = new[] { arguments.Int64("--small", 1_000_000, min: 1), arguments.Int64("--large", 5_000_000, min: 1) };
        var runs = arguments.Int64("--runs", 3, min: 1);
        MachineReport.PrintHeader("export");
        var directory = Path.Combine(Path.GetTempPath(), $"k2-export-bench-{Guid.NewGuid():N}");
        try
        {
            await using (var services = OpenStore(directory))
            {
                var client = services.GetRequiredService<IClickHouseClient>();
                await services.GetRequiredService<HotStoreMigrator>().MigrateAsync(CancellationToken.None);
                foreach (var rows in sizes.Append(WarmUpRows))
                {
                    await FillAsync(client, services.GetRequiredService<HotStoreOptions>().Database, Symbol(rows), rows);
                }
            }

            Console.WriteLine($"  silver_trades filled: {string.Join(", ", sizes.Select(r => $"{Symbol(r)} {r:N0} rows"))}; one process per case");
            Console.WriteLine($"  {"case",-40} {"rows/s median",14} {"min-max",21} {"MB first",8} {"MB median, max",15} {"bytes",14}");
            var failed = false;
            foreach (var rows in sizes)
            {
                foreach (var order in Enumerable.Range(0, Orders.Length))
                {
                    foreach (var format in new[] { ClickHouseFormats.Csv, ClickHouseFormats.Parquet })
                    {
                        failed |= !await RunChildAsync(directory, rows, format, order, runs);
                    }
                }

                failed |= !await RunChildAsync(directory, rows, "buffered", 0, runs);
            }

            MachineReport.PrintLoad("at end");
            return failed ? 1 : 0;
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>
    /// <c>export-case --data DIR --rows N --format F --order I --runs R</c>: one case in this process, one result line.
    /// Format <c>buffered</c> is a CSV export through <see cref="IClickHouseClient.QueryAsync{T}"/>.
    /// </summary>
    public static async Task<int> RunCaseAsync(IReadOnlyList<string> args)
    {
        string Option(string name) => args[args.ToList().IndexOf(name) + 1];
        var directory = Option("--data");
        var rows = long.Parse(Option("--rows"), CultureInfo.InvariantCulture);
        var format = Option("--format");
        var (orderName, orderBy) = Orders[int.Parse(Option("--order"), CultureInfo.InvariantCulture)];
        var runs = int.Parse(Option("--runs"), CultureInfo.InvariantCulture);
        await using var services = OpenStore(directory);
        var client = services.GetRequiredService<IClickHouseClient>();
        var query = Query(services.GetRequiredService<HotStoreOptions>().Database, orderBy);
        long bytes = 0;
        ReadOnlyMemory<byte> last = default;
        ClickHouseChunkWriter count = (chunk, _) =>
        {
            bytes += chunk.Length;
            last = chunk;
            return ValueTask.CompletedTask;
        };
        Func<long, Task> export = format == "buffered"
            ? async symbolRows => bytes = await client.QueryAsync(query, Parameters(symbolRows), ClickHouseFormats.Csv, static data => (long)data.Length, CancellationToken.None)
            : async symbolRows =>
            {
                bytes = 0;
                await client.QueryStreamAsync(query, Parameters(symbolRows), format, count, CancellationToken.None);
                if (format == ClickHouseFormats.Parquet)
                {
                    // The last piece is the footer with its length and magic: behind a PAR1 it reads as a file's footer.
                    var footer = ParquetFooter.Read([.. "PAR1"u8, .. last.Span]);
                    if (footer.RowCount != symbolRows)
                    {
                        throw new InvalidOperationException($"The Parquet export has {footer.RowCount} rows, not {symbolRows}.");
                    }
                }
            };
        await export(WarmUpRows);

        var opened = Rss("VmRSS");
        ResetPeakRss();
        await export(rows);
        var first = Rss("VmHWM") - opened;
        var expectedBytes = bytes;
        var rates = new List<double>();
        var growths = new List<long>();
        for (var run = 0; run < runs; run++)
        {
            ResetPeakRss();
            var before = Rss("VmRSS");
            var started = Stopwatch.GetTimestamp();
            await export(rows);
            var elapsed = Stopwatch.GetElapsedTime(started);
            growths.Add(Rss("VmHWM") - before);
            rates.Add(rows / elapsed.TotalSeconds);
            if (bytes != expectedBytes && format != ClickHouseFormats.Parquet) // Parquet sizes vary with the blocks a sort makes
            {
                Console.WriteLine($"run {run + 1} exported {bytes:N0} bytes, the first {expectedBytes:N0}");
                return 1;
            }
        }

        rates.Sort();
        growths.Sort();
        var name = $"{rows:N0} rows, {(format == "buffered" ? "CSV buffered (reference)" : $"{format}, {orderName}")}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-40} {rates[rates.Count / 2],14:N0} {$"{rates[0]:N0}-{rates[^1]:N0}",21} {Mb(first),8:N0} {$"{Mb(growths[growths.Count / 2]):N0}, {Mb(growths[^1]):N0}",15} {expectedBytes,14:N0}"));
        return 0;
    }

    private static async Task<bool> RunChildAsync(string directory, long rows, string format, int order, long runs)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "export-case", "--data", directory, "--rows", $"{rows}", "--format", format, "--order", $"{order}", "--runs", $"{runs}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = (await child.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await child.WaitForExitAsync();
        Console.WriteLine($"  {output.LastOrDefault() ?? "(no output)"}");
        return child.ExitCode == 0;
    }

    private static ServiceProvider OpenStore(string directory) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["K2:Storage:Embedded:DataPath"] = Path.Combine(directory, "hot") })
                .Build())
            .AddLogging()
            .AddEmbeddedHotStore()
            .BuildServiceProvider();

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;

    /// <summary>One symbol's trades, the shape of an export: every column, in the order asked.</summary>
    private static string Query(string db, string orderBy) =>
        $"SELECT {Columns} FROM {db}.silver_trades FINAL WHERE exchange = {{exchange:String}} AND symbol = {{symbol:String}} ORDER BY {orderBy}";

    private static ClickHouseParameters Parameters(long rows) => new ClickHouseParameters().Add("exchange", Exchange).Add("symbol", Symbol(rows));

    private static string Symbol(long rows) => $"SYN{rows}-USD";

    /// <summary>Trades of one symbol, one every 17 µs ending now (inside the table's 30-day TTL), in parts of at most a million rows.</summary>
    private static async Task FillAsync(IClickHouseClient client, string db, string symbol, long rows)
    {
        const long PartRows = 1_000_000;
        for (long from = 0; from < rows; from += PartRows)
        {
            await client.ExecuteAsync($$"""
                INSERT INTO {{db}}.silver_trades
                SELECT {exchange:String}, {symbol:String}, replaceAll({symbol:String}, '-', ''), leftPad(toString(number), 12, '0'),
                       toDecimal64(87000, 8) + toDecimal64(number % 100000, 8) / 100, toDecimal64(number % 997 + 1, 8) / 1000,
                       if(number % 2 = 0, 'buy', 'sell'),
                       now64(6, 'UTC') - toIntervalMicrosecond(({rows:Int64} - number) * 17),
                       now64(6, 'UTC') - toIntervalMicrosecond(({rows:Int64} - number) * 17) + toIntervalMicrosecond(900),
                       now64(6, 'UTC')
                FROM numbers({from:Int64}, {count:Int64})
                """,
                new ClickHouseParameters().Add("exchange", Exchange).Add("symbol", symbol).Add("rows", rows).Add("from", from)
                    .Add("count", Math.Min(PartRows, rows - from)),
                CancellationToken.None);
        }
    }

    /// <summary>Resets VmHWM to the current RSS (Linux 4.0+: writing 5 to clear_refs).</summary>
    private static void ResetPeakRss() => File.WriteAllText("/proc/self/clear_refs", "5");

    /// <summary>A /proc/self/status memory line (VmRSS, VmHWM) in bytes.</summary>
    private static long Rss(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
