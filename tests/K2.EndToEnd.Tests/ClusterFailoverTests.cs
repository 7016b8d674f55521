using System.Globalization;
using K2.Core;
using K2.EndToEnd.Tests.Support;
using K2.Simulator;
using K2.Testing;
using Npgsql;

namespace K2.EndToEnd.Tests;

/// <summary>
/// Issue #14's failover: three silos share the cluster; while every exchange streams, the silo holding the most shards
/// is killed with SIGKILL. Its shards must stream again on the survivors within seconds (the test prints how long),
/// and afterwards the hot store holds every printed trade exactly once and candles equal to a recomputation. The
/// offload runs every few seconds on a reminder throughout, and its run log shows no two runs of a table at once.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Silos = 3;
    private static readonly TimeSpan TradingBefore = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan TradingAfter = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StatusPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StatusAnswerLimit = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan CatchUpTime = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Killing_the_silo_with_the_most_shards_moves_them_to_the_survivors_and_loses_and_duplicates_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new Dictionary<string, string>
        {
            ["K2__Schedules__Offload__Period"] = "00:00:05",
        };
        await using var cluster = await K2Cluster.StartAsync(Silos, new SimulatorOptions { Seed = 14, TradesPerSecond = 100 }, settings, ct);
        try
        {
            var observer = cluster.Silos[0];
            await Eventually.TrueAsync(
                async attempt => (await K2Cluster.ShardsAsync(observer, attempt)).Count(s => s.Connected && s.SubscribedStreams > 0) == K2Cluster.ShardCount,
                TimeSpan.FromSeconds(60), "not every shard subscribed", ct);
            cluster.Simulator.Resume();
            await Task.Delay(TradingBefore, ct); // the scenario's timeline: trades flow before the failure

            var before = await K2Cluster.ShardsAsync(observer, ct);
            var victim = before.GroupBy(s => cluster.SiloAt(s.Silo)).OrderByDescending(g => g.Count()).First();
            output.WriteLine($"shards before: {string.Join(", ", before.Select(s => $"{s.Shard} on {cluster.SiloAt(s.Silo)?.Number}"))}");
            var dead = victim.Key.ShouldNotBeNull("a shard runs on no silo of the cluster");
            var survivor = cluster.Silos.First(s => s != dead);
            var killedAt = DateTimeOffset.UtcNow;
            var killTimer = TimeProvider.System.GetTimestamp();
            await dead.Process.KillAsync(ct);

            IReadOnlyList<ShardSession> after = [];
            while (true)
            {
                TimeProvider.System.GetElapsedTime(killTimer).ShouldBeLessThan(FailoverLimit, $"shards did not stream again on the survivors: {Describe(after, cluster)}");
                try
                {
                    after = await K2Cluster.ShardsAsync(survivor, ct).WaitAsync(StatusAnswerLimit, ct);
                }
                catch (Exception e) when (e is TimeoutException or HttpRequestException)
                {
                    // The status asks every shard's grain; while the dead silo is not yet declared dead, those calls wait.
                }

                if (after.Count == K2Cluster.ShardCount && after.All(s => cluster.SiloAt(s.Silo) is { } at && at != dead && s.Connected && s.LastFrameAt > killedAt))
                {
                    break;
                }

                await Task.Delay(StatusPollInterval, ct);
            }

            var failover = TimeProvider.System.GetElapsedTime(killTimer);
            output.WriteLine($"failover: {failover.TotalSeconds:F2} s from kill -9 of {dead} ({victim.Count()} shards) until every shard streamed again on the survivors");
            output.WriteLine($"shards after: {Describe(after, cluster)}");

            await Task.Delay(TradingAfter, ct); // the scenario's timeline: trades flow after the failover
            cluster.Simulator.Pause();

            var printed = cluster.Printed();
            var total = printed.Values.Sum(symbols => symbols.Values.Sum(ids => ids.Count));
            output.WriteLine($"{total} trades printed");
            await Eventually.TrueAsync(async attempt => await StoredCountAsync(cluster, attempt) == total,
                CatchUpTime, "the stored trades did not come to equal the printed ones", ct);
            foreach (var (exchange, symbols) in printed)
            {
                foreach (var (symbol, ids) in symbols)
                {
                    var served = (await survivor.Process.TradesAsync(exchange, symbol, ct)).Select(t => t.GetProperty("trade_id").GetString()!).ToList();
                    served.Count.ShouldBeLessThan(K2Process.MaxTradesPage, "the check needs every trade of a symbol on one page");
                    served.Distinct().Count().ShouldBe(served.Count, $"{exchange.ToName()}/{symbol}: a trade was served twice");
                    served.Order(StringComparer.Ordinal).ShouldBe(ids.Order(StringComparer.Ordinal), $"{exchange.ToName()}/{symbol}: stored trades differ from printed ones");
                }
            }

            await Eventually.TrueAsync(
                async attempt => await cluster.ClickHouseTextAsync(CandleRecomputation.StoredCandlesSql("k2"), attempt)
                                 == await cluster.ClickHouseTextAsync(CandleRecomputation.RecomputedCandlesSql("k2"), attempt),
                TimeSpan.FromSeconds(60), "the stored candles did not come to equal a recomputation from the trades", ct);

            // The offload grain moved too if it lived on the dead silo; its reminder kept one run of a table at a time.
            var runs = await OffloadRunsAsync(cluster.StateConnectionString, ct);
            output.WriteLine($"{runs.Count} offload runs");
            runs.Select(r => r.Table).Distinct().Count().ShouldBe(10, "every cold table was offloaded at least once");
            foreach (var table in runs.GroupBy(r => r.Table))
            {
                var ordered = table.OrderBy(r => r.StartedUs).ToList();
                for (var i = 1; i < ordered.Count; i++)
                {
                    ordered[i].StartedUs.ShouldBeGreaterThanOrEqualTo(ordered[i - 1].FinishedUs, $"two offload runs of {table.Key} overlapped");
                }
            }

            foreach (var silo in cluster.Running)
            {
                (await silo.Process.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0, silo.Process.Output);
            }
        }
        finally
        {
            foreach (var silo in cluster.Silos)
            {
                output.WriteLine($"--- {silo}");
                output.WriteLine(string.Join(System.Environment.NewLine, silo.Process.Output.Split(System.Environment.NewLine)
                    .Where(l => l.Contains("warn", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal) || l.Contains("crit", StringComparison.Ordinal)
                                || l.Contains("shard", StringComparison.Ordinal))
                    .Take(150)));
            }
        }
    }

    private static async Task<List<(string Table, long StartedUs, long FinishedUs)>> OffloadRunsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT table_name, started_at_us, finished_at_us FROM offload_runs", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var runs = new List<(string, long, long)>();
        while (await reader.ReadAsync(ct))
        {
            runs.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return runs;
    }

    private static async Task<long> StoredCountAsync(K2Cluster cluster, CancellationToken ct) =>
        long.Parse((await cluster.ClickHouseTextAsync("SELECT count() FROM k2.silver_trades FINAL", ct)).Trim(), CultureInfo.InvariantCulture);

    private static string Describe(IReadOnlyList<ShardSession> shards, K2Cluster cluster) =>
        string.Join(", ", shards.Select(s => $"{s.Shard} on {cluster.SiloAt(s.Silo)?.Number.ToString(CultureInfo.InvariantCulture) ?? s.Silo ?? "-"}{(s.Connected ? "" : " (not connected)")}"));
}
