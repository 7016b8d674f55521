using System.Globalization;
using System.Text.Json;
using K2.Core;
using K2.Core.Instruments;
using K2.Simulator;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Iceberg.Catalog;
using K2.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.EndToEnd.Tests;

/// <summary>
/// Issue #13's promise that the API reads the hot and cold tiers as one. K2 ingests from the simulated Binance, the
/// offload copies everything to Iceberg, K2 ingests more (hot only, after the watermark), and then every trade and
/// candle served over the whole range is compared: each printed trade exactly once, across the watermark, every candle
/// equal to a recomputation from the trades; and after
/// the offloaded rows are removed from the hot tables (as the 30-day TTL eventually would), the API answers exactly
/// what it answered before.
/// </summary>
public sealed class TieredHistoryTests(ITestOutputHelper output)
{
    private const double TradesPerSecond = 150;
    /// <summary>Small, so each symbol's trades take several pages and pages cross the watermark.</summary>
    private const int PageSize = 37;
    private const string WholeRange = "from=2020-01-01T00:00:00Z&to=2199-01-01T00:00:00Z";

    private static readonly InstrumentRegistry Registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    [Fact]
    public async Task Trades_and_candles_over_both_tiers_are_each_served_once_and_unchanged_when_the_hot_copy_is_gone()
    {
        var ct = TestContext.Current.CancellationToken;
        var exchange = Exchange.Binance;
        var instruments = Registry.ForExchange(exchange);
        using var data = new TempDirectory("k2-tiers");
        var k2Data = Directory.CreateDirectory(Path.Combine(data.Path, "k2")).FullName;
        using var server = EmbeddedClickHouse.Open(
            new EmbeddedClickHouseOptions { DataPath = Path.Combine(data.Path, "server") }, NullLogger<EmbeddedClickHouse>.Instance);
        await using var store = await ChdbHttpEndpoint.StartAsync(server, ct);
        using var warehouse = new S3rverFixture();
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { Seed = 13, TradesPerSecond = TradesPerSecond, StartPaused = true }, Registry, null, ct);
        var environment = Environment(simulator, store, warehouse);
        await using var k2 = K2Process.Start(k2Data, [], environment);
        try
        {
            await k2.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
            await Eventually.TrueAsync(async attempt => await k2.IsSubscribedAsync(exchange, instruments.Count, attempt),
                TimeSpan.FromSeconds(30), "K2 did not subscribe to every Binance symbol", ct);

            // Phase 1, offloaded to cold; phase 2, hot only.
            await TradeAsync(simulator, server, instruments, TimeSpan.FromSeconds(6), ct);
            var (offloadExit, offloadOutput) = await K2Process.RunToEndAsync(
                ["offload", "--now", "--data", k2Data], TimeSpan.FromSeconds(120), ct, environment);
            offloadExit.ShouldBe(0, offloadOutput);
            await TradeAsync(simulator, server, instruments, TimeSpan.FromSeconds(4), ct);

            var printed = Printed(simulator, instruments);
            var coldTrades = await CountAsync(server, "silver_trades", await WatermarkAsync(k2Data, "silver_trades", ct), ct);
            output.WriteLine($"{printed} trades printed; {coldTrades} of them ingested before the silver watermark");
            coldTrades.ShouldBeGreaterThan(0);
            coldTrades.ShouldBeLessThan(printed, "phase 2 must be after the watermark, so the range straddles it");

            var before = await ServeEverythingAsync(k2, instruments, ct);
            foreach (var instrument in instruments)
            {
                var ids = before.Trades[instrument.Symbol].Select(t => t.GetProperty("trade_id").GetString()!).ToList();
                ids.Distinct().Count().ShouldBe(ids.Count, $"{instrument.Symbol}: a trade was served twice");
                ids.Order(StringComparer.Ordinal).ShouldBe(
                    simulator.GroundTruth.For(exchange, instrument.ExchangeSymbol).Select(t => t.TradeId.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal),
                    $"{instrument.Symbol}: served trades differ from printed ones");
            }

            // What the TTL would do, for everything the offload copied: only the cold copy is left.
            await DeleteOffloadedHotRowsAsync(server, k2Data, ct);
            var after = await ServeEverythingAsync(k2, instruments, ct);

            foreach (var instrument in instruments)
            {
                Json(after.Trades[instrument.Symbol]).ShouldBe(Json(before.Trades[instrument.Symbol]), $"{instrument.Symbol}: trades changed");
                Json(after.Candles[instrument.Symbol]).ShouldBe(Json(before.Candles[instrument.Symbol]), $"{instrument.Symbol}: candles changed");
            }

            // Exports of the same range, now read from the cold tier for the most part, equal the JSON answer.
            foreach (var instrument in instruments)
            {
                var query = $"exchange=binance&symbol={instrument.Symbol}&{WholeRange}";
                var json = ExportedRows.FromJson(after.Trades[instrument.Symbol]);
                var csv = ExportedRows.FromCsv(await k2.Http.GetStringAsync($"/v1/trades?{query}&format=csv", ct));
                var parquet = await ExportedRows.FromParquetAsync(await k2.Http.GetByteArrayAsync($"/v1/trades?{query}&format=parquet", ct), ct);
                csv.Project(json[0].Keys).Lines().ShouldBe(json.Lines(), $"{instrument.Symbol}: the CSV export differs");
                parquet.Project(json[0].Keys).Lines().ShouldBe(json.Lines(), $"{instrument.Symbol}: the Parquet export differs");
            }

            (await k2.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
        }
        finally
        {
            output.WriteLine(string.Join(System.Environment.NewLine, k2.Output.Split(System.Environment.NewLine)
                .Where(l => l.Contains("warn", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal)).Take(100)));
        }
    }

    /// <summary>Lets the simulator print for <paramref name="time"/>, then waits until every printed trade is stored.</summary>
    private static async Task TradeAsync(
        ExchangeSimulator simulator, EmbeddedClickHouse server, IReadOnlyList<Instrument> instruments, TimeSpan time, CancellationToken ct)
    {
        simulator.Resume();
        await Task.Delay(time, ct); // the scenario's timeline: trades flow
        simulator.Pause();
        var printed = Printed(simulator, instruments);
        await Eventually.TrueAsync(async attempt => await CountAsync(server, "silver_trades", null, attempt) == printed,
            TimeSpan.FromSeconds(60), "not every printed trade was stored", ct);
        // The instruments write a bucket's candle on their timer: settled when every candle equals its recomputation.
        await Eventually.TrueAsync(
            async attempt => await TextAsync(server, CandleRecomputation.StoredCandlesSql("k2"), attempt) == await TextAsync(server, CandleRecomputation.RecomputedCandlesSql("k2"), attempt),
            TimeSpan.FromSeconds(60), "the stored candles did not come to equal a recomputation from the trades", ct);
    }

    private static Task<string> TextAsync(EmbeddedClickHouse server, string sql, CancellationToken ct) =>
        server.QueryAsync(sql, null, ClickHouseFormats.TabSeparated, static bytes => System.Text.Encoding.UTF8.GetString(bytes), ct);

    /// <summary>Every trade (paged through the whole range) and every 1m and 1h candle of each instrument, as served.</summary>
    private async Task<(Dictionary<string, List<JsonElement>> Trades, Dictionary<string, List<JsonElement>> Candles)> ServeEverythingAsync(
        K2Process k2, IReadOnlyList<Instrument> instruments, CancellationToken ct)
    {
        var trades = new Dictionary<string, List<JsonElement>>();
        var candles = new Dictionary<string, List<JsonElement>>();
        var pages = 0;
        foreach (var instrument in instruments)
        {
            var query = $"exchange=binance&symbol={instrument.Symbol}&{WholeRange}&limit={PageSize}";
            trades[instrument.Symbol] = await PageAllAsync(k2, $"/v1/trades?{query}", "trades", () => pages++, ct);
            candles[instrument.Symbol] = [
                .. await PageAllAsync(k2, $"/v1/candles?{query}&timeframe=1m", "candles", () => pages++, ct),
                .. await PageAllAsync(k2, $"/v1/candles?{query}&timeframe=1h", "candles", () => pages++, ct)];
        }

        output.WriteLine($"served {trades.Values.Sum(t => t.Count)} trades and {candles.Values.Sum(c => c.Count)} candles in {pages} pages");
        return (trades, candles);
    }

    private static async Task<List<JsonElement>> PageAllAsync(K2Process k2, string query, string rows, Action counted, CancellationToken ct)
    {
        var all = new List<JsonElement>();
        for (string? cursor = null; ;)
        {
            var page = await k2.GetJsonAsync(cursor is null ? query : $"{query}&cursor={cursor}", ct);
            counted();
            all.AddRange(page.GetProperty(rows).EnumerateArray().Select(r => r.Clone()));
            cursor = page.GetProperty("next_cursor").GetString();
            if (cursor is null)
            {
                return all;
            }
        }
    }

    private static long Printed(ExchangeSimulator simulator, IReadOnlyList<Instrument> instruments) =>
        instruments.Sum(i => simulator.GroundTruth.For(i.Exchange, i.ExchangeSymbol).Count);

    private static string Json(List<JsonElement> rows) => JsonSerializer.Serialize(rows);

    private static async Task DeleteOffloadedHotRowsAsync(EmbeddedClickHouse server, string k2Data, CancellationToken ct)
    {
        // Strictly before the watermark: rows at the watermark's own time may lie beyond its tie-breaker.
        await server.ExecuteAsync(
            "ALTER TABLE k2.silver_trades DELETE WHERE ingest_ts < {w:DateTime64(6, 'UTC')} SETTINGS mutations_sync = 2",
            new ClickHouseParameters().Add("w", await WatermarkAsync(k2Data, "silver_trades", ct)), ct);
        foreach (var (timeframe, table) in new[] { ("1m", "gold_ohlcv_1m"), ("1h", "gold_ohlcv_1h") })
        {
            await server.ExecuteAsync(
                "ALTER TABLE k2.ohlcv DELETE WHERE timeframe = {tf:String} AND updated_at < {w:DateTime64(6, 'UTC')} SETTINGS mutations_sync = 2",
                new ClickHouseParameters().Add("tf", timeframe).Add("w", await WatermarkAsync(k2Data, table, ct)), ct);
        }
    }

    private static async Task<UnixMicros> WatermarkAsync(string k2Data, string table, CancellationToken ct)
    {
        using var source = SqliteFactory.Instance.CreateDataSource($"Data Source={Path.Combine(k2Data, "state", "k2.db")}");
        var watermark = await new OffloadStateStore(source).LoadWatermarkAsync(table, ct);
        return watermark?.IngestTime ?? throw new InvalidOperationException($"{table} has no watermark: the offload copied nothing");
    }

    /// <summary>Distinct trades in the hot table, those ingested before <paramref name="before"/> when given.</summary>
    private static Task<long> CountAsync(EmbeddedClickHouse server, string table, UnixMicros? before, CancellationToken ct) =>
        server.QueryAsync(
            $"SELECT count() FROM k2.{table} FINAL" + (before is null ? "" : " WHERE ingest_ts < {w:DateTime64(6, 'UTC')}"),
            before is { } w ? new ClickHouseParameters().Add("w", w) : null,
            ClickHouseFormats.TabSeparated,
            static bytes => long.Parse(System.Text.Encoding.UTF8.GetString(bytes).Trim(), CultureInfo.InvariantCulture), ct);

    /// <summary>
    /// K2 as in a cluster, against the simulated Binance only: its hot store over HTTP (so this test can reach the store
    /// too) and its warehouse on S3, which the store reads with <c>icebergS3</c>.
    /// </summary>
    private static Dictionary<string, string> Environment(ExchangeSimulator simulator, ChdbHttpEndpoint store, S3rverFixture warehouse)
    {
        var settings = K2Process.AsEnvironment(simulator.K2Settings);
        ChdbHttpEndpoint.AddK2Environment(settings, store.Url);
        settings["K2__Exchanges__Kraken__Enabled"] = "false";
        settings["K2__Exchanges__Coinbase__Enabled"] = "false";
        settings["K2__Schedules__Enabled"] = "false";
        warehouse.AddK2Environment(settings);
        return settings;
    }
}
