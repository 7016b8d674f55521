using K2.Core;
using K2.Core.Instruments;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Iceberg.Metadata;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.EndToEnd.Tests;

/// <summary>
/// What a user finds in the data directory after <c>k2 run --simulate</c> has run and stopped: bronze, silver and
/// candles of every exchange, agreeing with each other; and after <c>k2 offload --now</c>, a warehouse whose ten Iceberg
/// tables ClickHouse's own Iceberg reader returns exactly the hot rows from.
/// </summary>
public sealed class StoredLayersTests(ITestOutputHelper output)
{
    /// <summary>Long enough for a minute boundary after K2 is ready, with room for a loaded machine.</summary>
    private static readonly TimeSpan BoundaryWait = TimeSpan.FromSeconds(150);

    private static readonly InstrumentRegistry Registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    [Fact]
    public async Task After_a_simulated_run_bronze_silver_and_candles_agree_and_the_offloaded_warehouse_reads_the_same()
    {
        var ct = TestContext.Current.CancellationToken;
        // Below the working directory: chDB's icebergLocal reads only there (its user_files_path is ".").
        using var data = TempDirectory.BelowWorkingDirectory("k2-layers");
        await using (var k2 = K2Process.Start(data.Path, ["--simulate"]))
        {
            try
            {
                await k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
                // Runs across at least one minute boundary, so candles close and new ones form: seen when one
                // instrument of every exchange serves two 1m candles.
                foreach (var exchange in ExchangeNames.All)
                {
                    var symbol = Registry.ForExchange(exchange)[0].Symbol;
                    await Eventually.TrueAsync(
                        async attempt => (await k2.GetJsonAsync($"/v1/candles?exchange={exchange.ToName()}&symbol={symbol}&timeframe=1m", attempt))
                            .GetProperty("candles").GetArrayLength() >= 2,
                        BoundaryWait, $"{exchange.ToName()}/{symbol} did not serve two 1m candles", ct);
                }

                (await k2.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
            }
            finally
            {
                output.WriteLine(k2.Output);
            }
        }

        var offload = await K2Process.RunToEndAsync(["offload", "--now", "--data", data.Path], TimeSpan.FromMinutes(3), ct);
        output.WriteLine(offload.Output);
        offload.ExitCode.ShouldBe(0);

        using var store = EmbeddedClickHouse.Open(
            new EmbeddedClickHouseOptions { DataPath = Path.Combine(data.Path, "hot") }, NullLogger<EmbeddedClickHouse>.Instance);
        async Task<string[]> Rows(string sql) => await store.QueryAsync(sql, null, ClickHouseFormats.TabSeparated,
            static bytes => System.Text.Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries), ct);

        var perExchange = await Rows("SELECT exchange, count(), uniqExact(symbol) FROM k2.silver_trades FINAL GROUP BY exchange ORDER BY exchange");
        output.WriteLine("silver: " + string.Join(" | ", perExchange));
        perExchange.Select(r => r.Split('\t')[0]).ShouldBe(["binance", "coinbase", "kraken"]);

        var stored = await Rows(CandleRecomputation.StoredCandlesSql("k2"));
        var recomputed = await Rows(CandleRecomputation.RecomputedCandlesSql("k2"));
        output.WriteLine($"candles: {stored.Length} stored, {recomputed.Length} recomputed from silver");
        stored.Length.ShouldBeGreaterThan(0);
        stored.ShouldBe(recomputed, "ohlcv FINAL against candles recomputed from silver_trades");

        foreach (var exchange in new[] { "binance", "kraken", "coinbase" })
        {
            // Every stored trade was received first: a valid bronze row with the same id, whatever path it came by.
            var notInBronze = await Rows($"""
                SELECT count() FROM k2.silver_trades FINAL
                WHERE exchange = '{exchange}'
                  AND (symbol, trade_id) NOT IN (SELECT symbol, trade_id FROM k2.bronze_trades_{exchange} WHERE reject_reason = '')
                """);
            var bronze = await Rows($"SELECT source, reject_reason = '', count(), uniqExact(symbol, trade_id) FROM k2.bronze_trades_{exchange} GROUP BY ALL ORDER BY ALL");
            output.WriteLine($"bronze {exchange}: {string.Join(" | ", bronze)}");
            notInBronze.ShouldBe(["0"], $"{exchange} silver trades without a valid bronze row");
        }

        foreach (var table in ColdTables.All)
        {
            var location = data.RelativePath("warehouse", table.Namespace, table.Name);
            var cold = await Rows($"SELECT * FROM icebergLocal('{location}') ORDER BY ALL");
            // One offload, one slice: a candle table gets each candle's latest version, the others every row the hot table holds.
            var hot = await Rows(
                $"SELECT {table.SelectList} FROM k2.{table.HotTable}{(table.OffloadsLatestRowPerKey ? " FINAL" : "")} {(table.HotFilter is { } f ? $"WHERE {f}" : "")} ORDER BY ALL");
            output.WriteLine($"cold {table.Name}: {cold.Length} rows");
            cold.Length.ShouldBeGreaterThan(0, table.Name);
            cold.ShouldBe(hot, $"cold.{table.Name} read by icebergLocal against k2.{table.HotTable}");
        }
    }
}
