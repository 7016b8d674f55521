using System.Diagnostics;
using System.Globalization;
using K2.Storage;
using K2.Storage.ClickHouse;
using K2.Storage.Hosting;
using K2.Storage.Iceberg;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Benchmarks.HotStore;

/// <summary>
/// Offload throughput: fills a fresh embedded hot store (silver with <c>--rows</c> trades, landed one every 17 µs, each bronze table
/// and the candle table with a tenth of that), then times the offload of <c>silver_trades</c> alone and then a full cycle
/// of the other nine tables, then a steady-state silver cycle of 10,000 new rows on top, into a local warehouse with a
/// SQLite catalog, all under a temporary directory removed at the end. The Iceberg tables are read back with chDB's icebergLocal to check the row counts.
/// </summary>
internal static class OffloadBenchmark
{
    public static async Task<int> RunAsync(string[] options)
    {
        var rows = options is ["--rows", var text, ..] ? long.Parse(text, CultureInfo.InvariantCulture) : 10_000_000;
        var directory = Path.Combine(Environment.CurrentDirectory, $"k2-offload-bench-{Guid.NewGuid():N}");
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["K2:Storage:Embedded:DataPath"] = Path.Combine(directory, "hot"),
                ["K2:Warehouse:Path"] = Path.Combine(directory, "warehouse"),
                ["K2:State:SqlitePath"] = Path.Combine(directory, "state", "k2.db"),
                ["K2:Offload:SafetyLag"] = "00:00:00",
            })
                // K2__Offload__MaxRowsPerCommit=5000000 measures a backlog split into commits.
                .AddInMemoryCollection(Environment.GetEnvironmentVariable("K2__Offload__MaxRowsPerCommit") is { } maxRows
                    ? [new("K2:Offload:MaxRowsPerCommit", maxRows)]
                    : [])
                .Build();
            await using var services = new ServiceCollection()
                .AddSingleton<IConfiguration>(configuration)
                .AddLogging()
                .AddEmbeddedHotStore()
                .AddColdTier()
                .BuildServiceProvider();
            var hot = services.GetRequiredService<IClickHouseClient>();
            var db = services.GetRequiredService<HotStoreOptions>().Database;
            await services.GetRequiredService<HotStoreMigrator>().MigrateAsync(CancellationToken.None);

            Console.WriteLine($"k2 offload benchmark: {Environment.ProcessorCount} cores; filling the hot store ({rows:N0} silver rows)...");
            await FillAsync(hot, db, rows);
            var cycle = services.GetRequiredService<OffloadCycle>();

            var silver = Stopwatch.StartNew();
            var silverOutcome = (await cycle.RunAsync([ColdTables.SilverTrades.Name], null, CancellationToken.None)).Single();
            silver.Stop();
            var silverRows = silverOutcome.Result?.Rows ?? throw new InvalidOperationException(silverOutcome.Error);
            Console.WriteLine($"  silver_trades: {silverRows:N0} rows, {silverOutcome.Result.Files} files, {silverOutcome.Result.Bytes:N0} bytes in {silver.Elapsed.TotalSeconds:0.00} s");
            Console.WriteLine($"  SILVER OFFLOAD: {silverRows / silver.Elapsed.TotalSeconds:N0} rows/s");

            var rest = Stopwatch.StartNew();
            var outcomes = await cycle.RunAsync([.. ColdTables.All.Select(t => t.Name).Where(n => n != ColdTables.SilverTrades.Name)], null, CancellationToken.None);
            rest.Stop();
            var total = silverRows + outcomes.Sum(o => o.Result?.Rows ?? 0);
            Console.WriteLine($"  other nine tables: {outcomes.Sum(o => o.Result?.Rows ?? 0):N0} rows in {rest.Elapsed.TotalSeconds:0.00} s ({outcomes.Count(o => o.Error is not null)} failed)");
            Console.WriteLine($"  TEN-TABLE CYCLE: {total:N0} rows in {(silver.Elapsed + rest.Elapsed).TotalSeconds:0.00} s ({total / (silver.Elapsed + rest.Elapsed).TotalSeconds:N0} rows/s)");

            // A steady-state cycle: a 15-minute slice of new trades on top of everything already offloaded. Its cost is
            // finding the slice among the rows that stay in the hot store, not encoding it.
            const int newRows = 10_000;
            await hot.ExecuteAsync($$"""
                INSERT INTO {{db}}.silver_trades
                SELECT 'binance', 'BTC-USDT', 'BTCUSDT', concat('new-', toString(number)), toDecimal64(87000, 8), toDecimal64(0.001, 8), 'buy',
                       now64(6, 'UTC') - toIntervalMicrosecond(number * 17), now64(6, 'UTC') - toIntervalMicrosecond(number * 17), now64(6, 'UTC')
                FROM numbers({{newRows}})
                """, null, CancellationToken.None);
            var steady = Stopwatch.StartNew();
            var steadyOutcome = (await cycle.RunAsync([ColdTables.SilverTrades.Name], null, CancellationToken.None)).Single();
            steady.Stop();
            Console.WriteLine($"  STEADY CYCLE (silver): {steadyOutcome.Result?.Rows ?? 0:N0} new rows among {rows:N0} offloaded in {steady.Elapsed.TotalMilliseconds:N0} ms");
            // The part that grows with the hot store: finding the slice by ingest time, with and without the skip index.
            foreach (var useIndex in new[] { 1, 0, 1, 0 })
            {
                var scan = Stopwatch.StartNew();
                await hot.ExecuteAsync(
                    $"SELECT count() FROM {db}.silver_trades WHERE ingest_ts > now64(6, 'UTC') - INTERVAL 1 SECOND SETTINGS use_skip_indexes = {useIndex}",
                    null, CancellationToken.None);
                scan.Stop();
                Console.WriteLine($"  slice lookup, skip index {(useIndex == 1 ? "on " : "off")}: {scan.Elapsed.TotalMilliseconds:N1} ms");
            }

            var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(directory, "warehouse", "cold", "silver_trades"));
            var cold = await hot.QueryAsync($"SELECT count() FROM icebergLocal('{relative}')", null, ClickHouseFormats.TabSeparated,
                static data => long.Parse(System.Text.Encoding.UTF8.GetString(data).Trim(), CultureInfo.InvariantCulture), CancellationToken.None);
            Console.WriteLine($"  verify: icebergLocal count of cold.silver_trades = {cold:N0} (expected {rows + newRows:N0})");
            return cold == rows + newRows ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static async Task FillAsync(IClickHouseClient hot, string db, long rows)
    {
        var ingest = new ClickHouseParameters().Add("ingest", K2.Core.UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-5)));
        await hot.ExecuteAsync($$"""
            INSERT INTO {{db}}.silver_trades
            SELECT 'binance', ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'][number % 3 + 1], ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][number % 3 + 1], toString(number),
                   toDecimal64(87000, 8) + toDecimal64(number % 100000, 8) / 100, toDecimal64(number % 997 + 1, 8) / 1000,
                   if(number % 2 = 0, 'buy', 'sell'), now64(6, 'UTC') - toIntervalMicrosecond(number * 17), now64(6, 'UTC') - toIntervalMicrosecond(number * 17),
                   {ingest:DateTime64(6, 'UTC')} - toIntervalMicrosecond(number * 17)
            FROM numbers({{rows}})
            """, ingest, CancellationToken.None);
        foreach (var exchange in new[] { "binance", "kraken", "coinbase" })
        {
            await hot.ExecuteAsync($$"""
                INSERT INTO {{db}}.bronze_trades_{{exchange}}
                SELECT now64(6, 'UTC') - toIntervalMicrosecond(number * 170), 'websocket', 'c/1', intDiv(number, 3), number % 3, 'BTCUSDT', 'BTC-USDT', toString(number),
                       toDecimal64(87000, 8), toDecimal64(0.5, 8), 'buy', now64(6, 'UTC'), concat('{"e":"trade","t":', toString(number), '}'), '', [],
                       {ingest:DateTime64(6, 'UTC')}
                FROM numbers({{rows / 10}})
                """, ingest, CancellationToken.None);
        }

        await hot.ExecuteAsync($$"""
            INSERT INTO {{db}}.ohlcv
            SELECT 'binance', 'BTC-USDT', tf, toStartOfMinute(now64(6, 'UTC')) - toIntervalMinute(number), 1, 2, 0.5, 1.5, 10, 15, 5, 5, 7, 1.5, 1, {ingest:DateTime64(6, 'UTC')}
            FROM numbers({{Math.Min(rows / 60, 20_000)}}) ARRAY JOIN ['1m', '5m', '15m', '30m', '1h', '1d'] AS tf
            """, ingest, CancellationToken.None);
    }
}
