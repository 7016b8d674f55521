using System.Globalization;
using K2.Core;
using K2.EndToEnd.Tests.Support;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>
/// Issue #14's outages, in the same cluster run: PostgreSQL (membership, reminders, catalog, run log) goes down for
/// 30 s, then ClickHouse for 60 s, while every exchange streams. No silo exits, every shard streams again within
/// <see cref="RecoveryLimit"/> of the outage's end, no silver writer ever holds more than its bound (polled from
/// <c>/v1/status</c>; with ClickHouse down each fills to it), and the store catches up
/// with every trade printed until the outage ended (how long that took is printed).
/// </summary>
public sealed partial class ClusterTests
{
    /// <summary>
    /// Writer bounds small enough for the ClickHouse outage to reach them: a silo's silver writer takes 100 to 150 trades
    /// a second here (the simulator's 100 per exchange, over two or three silos), so it fills in 20 s or less.
    /// </summary>
    private const int MaxBufferedRows = 2_000;

    /// <summary>A batch, and the batch a backlog drains in: what a writer holds beyond its buffer while an insert is retried.</summary>
    private const int MaxBatchRows = 500;

    private static readonly TimeSpan PostgresOutage = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ClickHouseOutage = TimeSpan.FromSeconds(60);

    /// <summary>From an outage's end until every shard has read a frame again.</summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CatchUpPollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The writer bounds every silo of the cluster runs with (environment variables).</summary>
    private static readonly Dictionary<string, string> WriterBounds = new()
    {
        ["K2__Storage__Writers__MaxBufferedRows"] = MaxBufferedRows.ToString(CultureInfo.InvariantCulture),
        ["K2__Storage__Writers__MaxBatchRows"] = MaxBatchRows.ToString(CultureInfo.InvariantCulture),
        ["K2__Storage__Writers__MaxBacklogBatchRows"] = MaxBatchRows.ToString(CultureInfo.InvariantCulture),
    };

    private async Task OutagesAsync(K2Cluster cluster, CancellationToken ct)
    {
        // A crash, not a clean shutdown: connections are cut mid-use and the restart recovers from the log. It begins
        // while the rolling restart's last silo is taking its shards back (MinimumStay after it joined), so grains
        // activate and shards hand over while the membership table cannot be read or written.
        await OutageAsync(cluster, "PostgreSQL", PostgresOutage,
            () => cluster.Postgres.StopAsync(PostgresStopMode.Immediate, ct), () => cluster.Postgres.StartAgainAsync(ct), storeDown: false, settleFirst: false, ct);
        // Killed: a crashed or restarting server (an OOM kill, a rescheduled pod) refuses connections until it is back
        // on the same data, the common ClickHouse outage. A hung store, which lets requests time out instead, is
        // StoreStallTests' case.
        await OutageAsync(cluster, "ClickHouse", ClickHouseOutage,
            () => cluster.ClickHouse.KillAsync(), () => cluster.ClickHouse.RestartAsync(ct), storeDown: true, settleFirst: true, ct);
    }

    /// <summary>
    /// Takes a service down for <paramref name="length"/> while every exchange streams and brings it back; asserts the
    /// silos survived, every shard streams again, the silver writers stayed within their bound (and, with the hot store
    /// down, one reached it) and the store caught up.
    /// </summary>
    private async Task OutageAsync(
        K2Cluster cluster, string service, TimeSpan length, Func<Task> down, Func<Task> up, bool storeDown, bool settleFirst, CancellationToken ct)
    {
        var silos = cluster.Running.ToList();
        if (settleFirst)
        {
            // Each shard on the silo it belongs to and streaming, and a moment of trading after.
            var share = (K2Cluster.ShardCount + silos.Count - 1) / silos.Count;
            await AllStreamAsync(cluster, shards => shards.GroupBy(s => s.Silo).All(g => g.Count() <= share), SpreadLimit, $"the shards settled before the {service} outage", ct);
            await Task.Delay(Trading, ct);
        }

        var buffers = SilverBacklogWatch.Start(silos, ct);
        await using (buffers)
        {
            await down();
            await Task.Delay(length, ct); // the outage's length is the scenario's timeline
            await up();
            var upAt = DateTimeOffset.UtcNow;
            var printed = cluster.Printed();

            var streaming = await AllStreamAsync(cluster, shards => shards.All(s => s.LastFrameAt > upAt), RecoveryLimit,
                $"every shard streamed again after the {service} outage", ct);
            var caughtUp = await CaughtUpAsync(cluster, printed, ct);
            output.WriteLine($"{service} down {length.TotalSeconds:F0} s: every shard streaming {streaming.Elapsed.TotalSeconds:F1} s after it was back " +
                             $"({Describe(streaming.Shards, cluster)}); every trade printed until then stored {caughtUp.TotalSeconds:F1} s after it was back");

            foreach (var silo in silos)
            {
                silo.Process.HasExited.ShouldBeFalse($"{silo} exited during the {service} outage:{System.Environment.NewLine}{silo.Process.Output}");
            }

            var largest = buffers.Largest;
            var (samples, unanswered) = buffers.Counts;
            output.WriteLine($"{service} outage: {samples} silver backlogs read ({unanswered} unanswered); largest per silo: " +
                             string.Join(", ", largest.OrderBy(b => b.Key).Select(b => $"silo {b.Key} {b.Value}")));
            // The status reads the cluster from memory and bounds every store read: it answers with either store down.
            unanswered.ShouldBe(0, $"/v1/status went unanswered during the {service} outage");
            samples.ShouldBeGreaterThan(0, "no silo answered /v1/status");
            foreach (var (silo, rows) in largest)
            {
                rows.ShouldBeLessThanOrEqualTo(MaxBufferedRows + MaxBatchRows, $"silo {silo}'s silver writer held more than its bound");
            }

            if (storeDown)
            {
                // A silo's silver writer takes the trades of its instruments on every exchange (100 to 150 a second here),
                // twice as fast as a bronze writer takes one exchange's shards: with the store down for a minute, it fills
                // first, and the sessions then wait on it instead of buffering more.
                largest.Values.Max().ShouldBeGreaterThanOrEqualTo(MaxBufferedRows, "no silver writer reached its bound while the store was down");
            }
        }
    }

    /// <summary>Each symbol that has fewer trades stored than <paramref name="printed"/>: printed and stored counts, and the stored id range.</summary>
    private static async Task<string> ShortSymbolsAsync(K2Cluster cluster, Dictionary<Exchange, Dictionary<string, List<string>>> printed, CancellationToken ct)
    {
        var stored = (await cluster.ClickHouseTextAsync(
                "SELECT exchange, symbol, count(), min(toUInt64OrZero(trade_id)), max(toUInt64OrZero(trade_id)) FROM k2.silver_trades FINAL GROUP BY exchange, symbol", ct))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(f => $"{f[0]}/{f[1]}", f => f);
        return string.Join("; ", printed.SelectMany(e => e.Value.Select(s => (Key: $"{e.Key.ToName()}/{s.Key}", Ids: s.Value)))
            .Select(p => (p.Key, p.Ids, Row: stored.GetValueOrDefault(p.Key)))
            .Where(p => p.Row is null || long.Parse(p.Row[2], CultureInfo.InvariantCulture) < p.Ids.Count)
            .Select(p => $"{p.Key} printed {p.Ids.Count} up to {p.Ids[^1]}, stored {(p.Row is null ? "none" : $"{p.Row[2]} ({p.Row[3]}..{p.Row[4]})")}"));
    }

    /// <summary>
    /// Waits until the hot store holds every trade in <paramref name="printed"/> (each symbol's ids up to the last printed
    /// then; simulated trade ids count up per symbol); returns how long that took.
    /// </summary>
    private static async Task<TimeSpan> CaughtUpAsync(K2Cluster cluster, Dictionary<Exchange, Dictionary<string, List<string>>> printed, CancellationToken ct)
    {
        var lastIds = printed.SelectMany(e => e.Value.Where(s => s.Value.Count > 0).Select(s => (Key: $"{e.Key.ToName()}/{s.Key}", Last: long.Parse(s.Value[^1], CultureInfo.InvariantCulture))))
            .ToList();
        var expected = printed.Values.Sum(symbols => symbols.Values.Sum(ids => ids.Count));
        var sql = "SELECT count() FROM k2.silver_trades FINAL WHERE toUInt64OrZero(trade_id) <= transform(concat(exchange, '/', symbol), " +
                  $"[{string.Join(", ", lastIds.Select(i => $"'{i.Key}'"))}], [{string.Join(", ", lastIds.Select(i => $"toUInt64({i.Last})"))}], toUInt64(0))";
        var started = TimeProvider.System.GetTimestamp();
        long stored = 0;
        while (true)
        {
            try
            {
                stored = long.Parse((await cluster.ClickHouseTextAsync(sql, ct)).Trim(), CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException)
            {
                // Still starting.
            }

            var elapsed = TimeProvider.System.GetElapsedTime(started);
            if (stored == expected)
            {
                return elapsed;
            }

            if (elapsed >= CatchUpTime)
            {
                throw new TimeoutException($"{stored} of the {expected} trades printed until the outage ended are stored after {CatchUpTime}; " +
                                           $"short: {await ShortSymbolsAsync(cluster, printed, ct)}");
            }
            await Task.Delay(CatchUpPollInterval, ct);
        }
    }
}
