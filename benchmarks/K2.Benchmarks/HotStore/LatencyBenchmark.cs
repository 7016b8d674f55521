using System.Diagnostics;
using K2.Core;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Hosting;
using K2.Storage.Trades;
using K2.Storage.Writers;

namespace K2.Benchmarks.HotStore;

/// <summary>
/// Receipt-to-visibility latency at a steady rate. One paced producer hands trades, round-robin over the instruments,
/// to the silver writer and notes when it handed over each one (its receipt). A poller runs
/// <c>SELECT count() FROM silver_trades</c> over and over on a query connection: the writer keeps the producer's order
/// and ids are unique, so a count of n means exactly the first n trades are visible. A trade first counted by a poll
/// became visible after the previous poll started and before this one returned, which bounds its latency from both
/// sides; the report gives both bounds, so the poll period is the measurement's resolution.
/// </summary>
internal static class LatencyBenchmark
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = HarnessArguments.Parse(args, "--rate", "--seconds", "--warmup-seconds", "--poll-ms", "--max-batch-rows");
        var rate = arguments.Double("--rate", 10_000, min: 1);
        var duration = TimeSpan.FromSeconds(arguments.Double("--seconds", 60, min: 1));
        var warmup = TimeSpan.FromSeconds(arguments.Double("--warmup-seconds", 5, min: 0));
        var pollInterval = TimeSpan.FromMilliseconds(arguments.Double("--poll-ms", 2, min: 0));
        var total = (long)(rate * duration.TotalSeconds);
        if (warmup >= duration)
        {
            throw new ArgumentOutOfRangeException(nameof(args), "--warmup-seconds must be shorter than --seconds.");
        }

        var tapes = TradeTape.ForRegistry();
        MachineReport.PrintHeader("latency");
        var maxBatchRows = arguments.OptionalInt64("--max-batch-rows", min: 1);
        await using var store = await HotStoreHarness.StartAsync(maxBatchRows, HotStoreTransport.Embedded, CancellationToken.None);
        var options = store.WriterOptions;
        Console.WriteLine($"  writer: MaxBatchRows {options.MaxBatchRows} (backlog {options.MaxBacklogBatchRows}), FlushInterval {options.FlushInterval.TotalMilliseconds} ms, " +
                          $"MaxBufferedRows {options.MaxBufferedRows} ({(maxBatchRows is null ? "defaults" : "batch size overridden")})");
        Console.WriteLine($"  load: {rate:N0} trades/s for {duration.TotalSeconds} s over {tapes.Length} instruments ({total:N0} trades), " +
                          $"first {warmup.TotalSeconds} s excluded; poll every {pollInterval.TotalMilliseconds} ms after the previous poll returns");

        var receivedAt = new long[total];
        var visibleBefore = new long[total];
        var notVisibleAt = new long[total];
        using var stopPolling = new CancellationTokenSource();
        var started = Stopwatch.GetTimestamp();
        var poller = Task.Run(() => PollAsync(store, pollInterval, visibleBefore, notVisibleAt, started, stopPolling.Token));
        var load = await ProduceAsync(store.Writer, tapes, rate, receivedAt, started, warmup);
        var producedIn = Stopwatch.GetElapsedTime(started);

        var draining = Stopwatch.StartNew();
        while (Volatile.Read(ref visibleBefore[total - 1]) == 0)
        {
            if (draining.Elapsed > DrainTimeout || poller.IsCompleted)
            {
                await stopPolling.CancelAsync();
                await poller;
                Console.WriteLine($"  FAILED: the last trade was not visible {DrainTimeout.TotalSeconds} s after it was sent");
                return 1;
            }

            await Task.Delay(10);
        }

        await stopPolling.CancelAsync();
        var polls = await poller;

        var upper = new double[total - load.FirstMeasured];
        var lower = new double[upper.Length];
        for (var i = load.FirstMeasured; i < total; i++)
        {
            upper[i - load.FirstMeasured] = Milliseconds(visibleBefore[i] - receivedAt[i]);
            lower[i - load.FirstMeasured] = Math.Max(0, Milliseconds(notVisibleAt[i] - receivedAt[i]));
        }

        var (batchRows, flushMilliseconds) = store.Metrics.Batches();
        Console.WriteLine();
        Console.WriteLine($"  sent {total:N0} trades in {producedIn.TotalSeconds:F2} s ({total / producedIn.TotalSeconds:N0} trades/s); measured the last {upper.Length:N0}");
        Console.WriteLine($"  RECEIPT -> VISIBLE ms, upper bound (the first poll that counted it had returned): {Distribution.Describe(upper, "F1")}");
        Console.WriteLine($"  receipt -> visible ms, lower bound (the poll before that one had started):      {Distribution.Describe(lower, "F1")}");
        Console.WriteLine($"  poll period ms (the resolution): {Distribution.Describe(polls.Select(p => p.PeriodMilliseconds), "F2")}");
        Console.WriteLine($"  count() query ms:                {Distribution.Describe(polls.Select(p => p.QueryMilliseconds), "F2")}");
        Console.WriteLine($"  receipt -> encode ms (ingest_ts - receipt_ts in SQL, exact): {await ReceiptToEncodeAsync(store, load.FirstMeasuredReceipt)}");
        Console.WriteLine($"  rows per batch (all batches): {Distribution.Describe(batchRows, "N0")}");
        Console.WriteLine($"  flush (encode + insert) ms:   {Distribution.Describe(flushMilliseconds, "F1")}");
        Console.WriteLine($"  insert failures (retried): {store.Metrics.Failures}");
        MachineReport.PrintLoad("at end");

        var count = await store.CountSilverTradesAsync(CancellationToken.None);
        Console.WriteLine($"  verify: SELECT count() FROM {store.Database}.silver_trades = {count:N0} (expected {total:N0})");
        if (count != (ulong)total)
        {
            Console.WriteLine($"  FAILED: silver_trades holds {count:N0} rows, expected {total:N0}");
            return 1;
        }

        return 0;
    }

    /// <summary>
    /// Sends trade i once i / rate seconds have passed, checking the clock about every millisecond, and notes its
    /// receipt just before handing it to the writer.
    /// </summary>
    private static async Task<PacedLoad> ProduceAsync(
        BatchedTableWriter<Trade> writer, TradeTape[] tapes, double rate, long[] receivedAt, long started, TimeSpan warmup)
    {
        PacedLoad? load = null;
        var sent = 0L;
        while (sent < receivedAt.Length)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var due = Math.Min(receivedAt.Length, (long)(elapsed.TotalSeconds * rate));
            for (; sent < due; sent++)
            {
                var receipt = UnixMicros.Now(TimeProvider.System);
                receivedAt[sent] = Stopwatch.GetTimestamp();
                if (load is null && elapsed >= warmup)
                {
                    load = new PacedLoad(sent, receipt);
                }

                await writer.WriteAsync(tapes[sent % tapes.Length].Next(receipt), CancellationToken.None);
            }

            await Task.Delay(1);
        }

        return load ?? throw new InvalidOperationException("The warm-up outlasted the load.");
    }

    /// <summary>Counts the visible rows until stopped; the first poll to count a trade stamps both bounds of its visibility.</summary>
    private static async Task<List<Poll>> PollAsync(
        HotStoreHarness store, TimeSpan interval, long[] visibleBefore, long[] notVisibleAt, long started, CancellationToken stop)
    {
        var polls = new List<Poll>();
        var visible = 0L;
        var previousStart = started;
        var previousEnd = started;
        while (!stop.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            var count = Math.Min((long)await store.CountSilverTradesAsync(CancellationToken.None), visibleBefore.Length);
            var end = Stopwatch.GetTimestamp();
            for (; visible < count; visible++)
            {
                notVisibleAt[visible] = previousStart;
                Volatile.Write(ref visibleBefore[visible], end);
            }

            polls.Add(new Poll(Milliseconds(end - previousEnd), Milliseconds(end - start)));
            previousStart = start;
            previousEnd = end;
            if (interval > TimeSpan.Zero)
            {
                await Task.Delay(interval, CancellationToken.None);
            }
        }

        return polls;
    }

    /// <summary>How long measured trades waited in the writer before their batch was encoded, from the stored times.</summary>
    private static Task<string> ReceiptToEncodeAsync(HotStoreHarness store, UnixMicros from) =>
        store.Client.QueryAsync(
            $$"""
            SELECT toInt64(quantileExact(0.5)(d)), toInt64(quantileExact(0.9)(d)), toInt64(quantileExact(0.99)(d)), max(d)
            FROM (SELECT dateDiff('microsecond', receipt_ts, ingest_ts) AS d
                  FROM {{store.Database}}.{{SilverTradesTable.TableName}} WHERE receipt_ts >= {from:DateTime64(6, 'UTC')})
            """,
            new ClickHouseParameters().Add("from", from), ClickHouseFormats.RowBinary,
            static data =>
            {
                var reader = new RowBinaryReader(data);
                return $"p50 {reader.ReadInt64() / 1_000.0:F1}  p90 {reader.ReadInt64() / 1_000.0:F1}  " +
                       $"p99 {reader.ReadInt64() / 1_000.0:F1}  max {reader.ReadInt64() / 1_000.0:F1}";
            },
            CancellationToken.None);

    private static double Milliseconds(long stopwatchTicks) => stopwatchTicks * 1_000.0 / Stopwatch.Frequency;

    /// <summary>Where the measured part of the load begins: its first trade's index and receipt time.</summary>
    private sealed record PacedLoad(long FirstMeasured, UnixMicros FirstMeasuredReceipt);

    private readonly record struct Poll(double PeriodMilliseconds, double QueryMilliseconds);
}
