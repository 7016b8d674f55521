using System.Diagnostics;
using K2.Core;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.Hosting;
using K2.Storage.Writers;

namespace K2.Benchmarks.HotStore;

/// <summary>
/// Sustained ingest into the embedded store through the silver writer: one producer per instrument hands trades to
/// <see cref="BatchedTableWriter{TRow}"/> as fast as it accepts them (its bounded buffer pushes back), and the rate is
/// the writer's inserted rows over time once the warm-up is over. Ends by counting the rows in <c>silver_trades</c>, then
/// reads the whole table back <c>--reads</c> times through <see cref="IClickHouseClient.QueryStreamAsync"/> (RowBinary,
/// into a writer that only counts bytes). <c>--transport</c> picks the store as <c>K2:Storage:Transport</c> does:
/// <c>embedded</c> (the default), or <c>http</c> against the chDB-backed endpoint in a process of its own, so CPU and
/// allocations here are the client side's.
/// </summary>
internal static class IngestBenchmark
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = HarnessArguments.Parse(args, "--trades", "--warmup-seconds", "--max-batch-rows", "--transport", "--reads");
        var transport = arguments.Choice("--transport", HotStoreTransport.Embedded, HotStoreTransport.Embedded, HotStoreTransport.Http);
        var reads = arguments.Int64("--reads", 3, min: 0);
        var total = arguments.Int64("--trades", 6_000_000, min: 1);
        var warmup = TimeSpan.FromSeconds(arguments.Double("--warmup-seconds", 3, min: 0));
        var tapes = TradeTape.ForRegistry();

        MachineReport.PrintHeader("ingest");
        var maxBatchRows = arguments.OptionalInt64("--max-batch-rows", min: 1);
        await using var store = await HotStoreHarness.StartAsync(maxBatchRows, transport, CancellationToken.None);
        Console.WriteLine($"  transport: {transport}");
        var options = store.WriterOptions;
        Console.WriteLine($"  writer: MaxBatchRows {options.MaxBatchRows} (backlog {options.MaxBacklogBatchRows}), FlushInterval {options.FlushInterval.TotalMilliseconds} ms, " +
                          $"MaxBufferedRows {options.MaxBufferedRows} ({(maxBatchRows is null ? "defaults" : "batch size overridden")})");
        Console.WriteLine($"  load: {total:N0} trades from {tapes.Length} producers (one per instrument), warm-up {warmup.TotalSeconds} s");

        using var process = Process.GetCurrentProcess();
        var writer = store.Writer;
        var started = Stopwatch.GetTimestamp();
        var producers = tapes
            .Select((tape, i) => Task.Run(() => ProduceAsync(writer, tape, (total / tapes.Length) + (i < total % tapes.Length ? 1 : 0))))
            .ToArray();
        var allProduced = Task.WhenAll(producers);
        TimeSpan? producedAt = null;

        var perSecond = new List<double>();
        Window? measured = null;
        var lastSample = (Time: TimeSpan.Zero, Rows: 0L);
        var lastProgress = (Time: TimeSpan.Zero, Rows: 0L);
        while (true)
        {
            await Task.Delay(10);
            var now = Stopwatch.GetElapsedTime(started);
            var rows = writer.RowsWritten;
            if (allProduced.IsFaulted)
            {
                await allProduced; // rethrows the producer's failure
            }

            if (producedAt is null && allProduced.IsCompleted)
            {
                producedAt = now;
            }

            if (measured is null && now >= warmup)
            {
                measured = Window.Take(now, rows, process, store);
                store.Metrics.ClearBatches();
            }

            if (now - lastSample.Time >= SampleInterval)
            {
                if (measured is not null && lastSample.Time >= measured.Time)
                {
                    perSecond.Add((rows - lastSample.Rows) / (now - lastSample.Time).TotalSeconds);
                }

                lastSample = (now, rows);
            }

            if (rows != lastProgress.Rows)
            {
                lastProgress = (now, rows);
            }
            else if (now - lastProgress.Time > StallTimeout)
            {
                throw new TimeoutException($"No rows inserted for {StallTimeout.TotalSeconds} s ({rows:N0} of {total:N0} written).");
            }

            if (rows >= total)
            {
                if (measured is null || measured.Rows >= total)
                {
                    throw new InvalidOperationException("Every row was written during the warm-up; raise --trades or lower --warmup-seconds.");
                }

                Report(store, measured, Window.Take(now, rows, process, store), producedAt ?? now, total, perSecond);
                break;
            }
        }

        await allProduced;
        var verified = await VerifyAsync(store, total);
        await ReadBackAsync(store, total, reads);
        MachineReport.PrintLoad("at end");
        return verified ? 0 : 1;
    }

    /// <summary>Streams all of <c>silver_trades</c> <paramref name="reads"/> times; prints rows/s and allocations of each read.</summary>
    private static async Task ReadBackAsync(HotStoreHarness store, long rows, long reads)
    {
        var sql = $"SELECT exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts FROM {store.Database}.silver_trades";
        var rates = new List<double>();
        for (var read = 1; read <= reads; read++)
        {
            long bytes = 0;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var started = Stopwatch.GetTimestamp();
            await store.Client.QueryStreamAsync(sql, null, ClickHouseFormats.RowBinary, (chunk, _) =>
            {
                bytes += chunk.Length;
                return ValueTask.CompletedTask;
            }, CancellationToken.None);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            rates.Add(rows / seconds);
            Console.WriteLine($"  STREAMED READ {read}: {rows:N0} rows ({bytes / (1024.0 * 1024):N1} MiB RowBinary) in {seconds:F2} s, " +
                              $"{rows / seconds:N0} rows/s, managed allocations {(double)allocated / rows:F2} bytes/row ({allocated / 1024:N0} KiB)");
        }

        if (rates.Count > 0)
        {
            Console.WriteLine($"  streamed read rows/s: {Distribution.Describe(rates, "N0")}");
        }
    }

    private static async Task ProduceAsync(BatchedTableWriter<Trade> writer, TradeTape tape, long count)
    {
        for (var i = 0L; i < count; i++)
        {
            await writer.WriteAsync(tape.Next(UnixMicros.Now(TimeProvider.System)), CancellationToken.None);
        }
    }

    private static void Report(HotStoreHarness store, Window from, Window to, TimeSpan producedAt, long total, List<double> perSecond)
    {
        var seconds = (to.Time - from.Time).TotalSeconds;
        var rows = to.Rows - from.Rows;
        var (batchRows, flushMilliseconds) = store.Metrics.Batches();
        Console.WriteLine();
        Console.WriteLine($"  all {total:N0} trades inserted after {to.Time.TotalSeconds:F2} s (producers done after {producedAt.TotalSeconds:F2} s)");
        Console.WriteLine($"  measured window: {from.Time.TotalSeconds:F2} s to {to.Time.TotalSeconds:F2} s, {rows:N0} trades");
        Console.WriteLine($"  SUSTAINED INGEST: {rows / seconds:N0} trades/s (whole run incl. warm-up: {total / to.Time.TotalSeconds:N0} trades/s)");
        Console.WriteLine($"  per-second insert rate: {Distribution.Describe(perSecond, "N0")}");
        Console.WriteLine($"  rows per batch: {Distribution.Describe(batchRows, "N0")}");
        Console.WriteLine($"  flush (encode + insert) ms: {Distribution.Describe(flushMilliseconds, "F1")}");
        var cpuSeconds = (to.Cpu - from.Cpu).TotalSeconds;
        Console.WriteLine($"  CPU: {cpuSeconds / seconds:F2} cores busy of {Environment.ProcessorCount}, {cpuSeconds * 1e6 / rows:F2} µs per trade " +
                          (to.EndpointCpu == TimeSpan.Zero ? "(whole process: producers, writer, chDB inserts and merges)" : "(this process: producers, writer, client)"));
        if (to.EndpointCpu > TimeSpan.Zero)
        {
            var endpointSeconds = (to.EndpointCpu - from.EndpointCpu).TotalSeconds;
            Console.WriteLine($"  endpoint process CPU: {endpointSeconds / seconds:F2} cores busy, {endpointSeconds * 1e6 / rows:F2} µs per trade (HTTP server, chDB inserts and merges)");
        }

        Console.WriteLine($"  managed allocations: {(double)(to.Allocated - from.Allocated) / rows:F1} bytes/trade; " +
                          $"GCs gen0/1/2: {to.Gen0 - from.Gen0}/{to.Gen1 - from.Gen1}/{to.Gen2 - from.Gen2}");
        Console.WriteLine($"  peak working set: {to.PeakWorkingSet / (1024 * 1024):N0} MiB (whole process, chDB included)");
        Console.WriteLine($"  insert failures (retried): {store.Metrics.Failures}");
    }

    /// <summary>Checks that every trade landed exactly once. Prints the counts; false (and a loud line) when not.</summary>
    private static async Task<bool> VerifyAsync(HotStoreHarness store, long total)
    {
        var count = await store.CountSilverTradesAsync(CancellationToken.None);
        Console.WriteLine($"  verify: SELECT count() FROM {store.Database}.silver_trades = {count:N0} (expected {total:N0})");
        if (count != (ulong)total)
        {
            Console.WriteLine($"  FAILED: silver_trades holds {count:N0} rows, expected {total:N0}");
            return false;
        }

        return true;
    }

    /// <summary>The writer's progress and the process's resource use at one instant.</summary>
    private sealed record Window(
        TimeSpan Time, long Rows, TimeSpan Cpu, TimeSpan EndpointCpu, long Allocated, int Gen0, int Gen1, int Gen2, long PeakWorkingSet)
    {
        public static Window Take(TimeSpan time, long rows, Process process, HotStoreHarness store)
        {
            process.Refresh();
            return new Window(
                time, rows, process.TotalProcessorTime, store.EndpointCpu(), GC.GetTotalAllocatedBytes(precise: true),
                GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), process.PeakWorkingSet64);
        }
    }
}
