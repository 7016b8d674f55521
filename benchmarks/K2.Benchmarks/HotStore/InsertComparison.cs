using System.Buffers;
using System.Diagnostics;
using K2.Core;
using K2.Storage;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Driver;
using K2.Storage.ClickHouse.Http;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Schema;
using K2.Storage.Trades;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Benchmarks.HotStore;

/// <summary>
/// RowBinary batches of <c>silver_trades</c> of the same size and make (each of new trades, encoded before the clock
/// starts) inserted through K2's HTTP transport and through the driver transport, alternately (the first of each pair alternates too), against one chDB-backed endpoint in a process
/// of its own, so both see the same server and the same machine load. Per insert: wall time, this process's CPU and
/// its managed allocations; medians over <c>--batches</c> inserts per transport.
/// </summary>
internal static class InsertComparison
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var arguments = HarnessArguments.Parse(args, "--batches", "--batch-rows");
        var batches = (int)arguments.Int64("--batches", 30, min: 1);
        var batchRows = (int)arguments.Int64("--batch-rows", 50_000, min: 1);
        MachineReport.PrintHeader("insert comparison");
        var directory = Path.Combine(Path.GetTempPath(), $"k2-insert-ab-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            await using var endpoint = await ClickHouseEndpointProcess.StartAsync(Path.Combine(directory, "hot"), directory, CancellationToken.None);
            var options = new ClickHouseHttpOptions { Url = endpoint.Url, User = ChdbHttpEndpoint.DefaultUser, Password = ChdbHttpEndpoint.DefaultPassword };
            using var k2 = new ClickHouseHttpClient(options, NullLogger<ClickHouseHttpClient>.Instance);
            using var driver = new DriverClickHouseClient(options, NullLogger<DriverClickHouseClient>.Instance);
            var store = new HotStoreOptions();
            await new HotStoreMigrator(k2, store, TimeProvider.System, NullLogger<HotStoreMigrator>.Instance).MigrateAsync(CancellationToken.None);
            var table = new SilverTradesTable();
            var insert = $"INSERT INTO {store.Database}.{SilverTradesTable.TableName} ({string.Join(", ", table.Columns)})";
            var tapes = TradeTape.ForRegistry();
            var size = Encode(table, tapes, batchRows).Length;
            Console.WriteLine($"  {batches} inserts per transport of a {batchRows:N0}-row batch ({size / (1024.0 * 1024):N1} MiB RowBinary, gzipped on the wire), endpoint {endpoint.Url}");

            IClickHouseClient[] transports = [k2, driver];
            string[] names = ["http (K2)", "driver"];
            var samples = new List<Sample>[] { [], [] };
            using var process = Process.GetCurrentProcess();
            for (var round = -2; round < batches; round++)
            {
                for (var turn = 0; turn < 2; turn++)
                {
                    var which = (round + turn) & 1;
                    var sample = await InsertOnceAsync(transports[which], insert, Encode(table, tapes, batchRows), process);
                    if (round >= 0)
                    {
                        samples[which].Add(sample); // two warm-up rounds are left out
                    }
                }
            }

            Console.WriteLine($"  {"transport",-10} {"rows/s median",14} {"ms/insert p50 (min-max)",26} {"CPU ms/insert p50",18} {"alloc KiB/insert p50",21}");
            for (var i = 0; i < 2; i++)
            {
                var wall = samples[i].Select(s => s.Wall.TotalMilliseconds).Order().ToList();
                var cpu = Median(samples[i].Select(s => s.Cpu.TotalMilliseconds));
                var allocated = Median(samples[i].Select(s => s.Allocated / 1024.0));
                Console.WriteLine($"  {names[i],-10} {batchRows / (Median(wall) / 1000),14:N0} {$"{Median(wall):F1} ({wall[0]:F1}-{wall[^1]:F1})",26} {cpu,18:F1} {allocated,21:F1}");
            }

            var stored = await k2.QueryAsync($"SELECT count() FROM {store.Database}.{SilverTradesTable.TableName}", null, ClickHouseFormats.RowBinary,
                static data => new RowBinaryReader(data).ReadUInt64(), CancellationToken.None);
            var expected = (ulong)(2 * (batches + 2) * batchRows);
            Console.WriteLine($"  verify: {stored:N0} rows stored (expected {expected:N0})");
            MachineReport.PrintLoad("at end");
            await endpoint.StopAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            return stored == expected ? 0 : 1;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<Sample> InsertOnceAsync(IClickHouseClient client, string insert, byte[] batch, Process process)
    {
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        await client.InsertAsync(insert, ClickHouseFormats.RowBinary, batch, CancellationToken.None);
        var wall = Stopwatch.GetElapsedTime(started);
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        process.Refresh();
        return new Sample(wall, process.TotalProcessorTime - cpu, allocatedAfter - allocated);
    }

    private static byte[] Encode(SilverTradesTable table, TradeTape[] tapes, int rows)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new RowBinaryWriter(buffer);
        var now = UnixMicros.Now(TimeProvider.System);
        for (var i = 0; i < rows; i++)
        {
            table.Write(writer, tapes[i % tapes.Length].Next(now), now);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record Sample(TimeSpan Wall, TimeSpan Cpu, long Allocated);
}
