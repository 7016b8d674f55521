using System.Diagnostics;
using System.Globalization;
using K2.Benchmarks.HotStore;
using K2.Core;
using K2.Core.Candles;
using K2.Storage;
using K2.Storage.ClickHouse;
using K2.Storage.Hosting;
using K2.Storage.History;
using K2.Storage.Iceberg;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Schema;
using K2.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Benchmarks.Api;

/// <summary>
/// One of the API benchmark's data directories: <see cref="Trades"/> synthetic trades of binance/BTC-USDT spread evenly
/// over <see cref="Days"/> whole UTC days from <see cref="FirstDay"/> (inside the hot tier's 30 days), the 1,440
/// one-minute candles of the first of those days, and <see cref="RecentTrades"/> more from an hour to a quarter of an
/// hour before the fill (what an offload every 15 minutes would have copied of today). Ids are numeric and rise with
/// time, as Binance's do. Each step that opens the store runs in a child process of its own (<c>api-store</c>, working
/// directory the data directory, where chDB's icebergLocal may read), since one process opens one chDB data path and
/// <c>k2</c> opens the same directory between the steps.
/// </summary>
internal sealed record ApiDataSet(string Directory, long FirstDay, int Days, long Trades)
{
    public const string Exchange = "binance";
    public const string Symbol = "BTC-USDT";

    /// <summary>Synthetic ids: nine digits, far below the simulator's (which start at the Unix time in milliseconds).</summary>
    private const long FirstTradeId = 100_000_000;

    public const long RecentTrades = 10_000;

    private const long MicrosPerDay = 86_400_000_000;

    public UnixMicros From => new(FirstDay * MicrosPerDay);

    public UnixMicros To => new((FirstDay + Days) * MicrosPerDay);

    /// <summary>The day whose one-minute candles are stored.</summary>
    public UnixMicros CandleDay => From;

    public UnixMicros CandleDayEnd => new(From.Value + MicrosPerDay);

    /// <summary><c>api-store --data DIR --first-day N --days N --trades N --step fill|drop|probe [--probe-runs N]</c>.</summary>
    public static async Task<int> RunStepAsync(IReadOnlyList<string> args)
    {
        string Option(string name) => args[args.ToList().IndexOf(name) + 1];
        long Number(string name) => long.Parse(Option(name), CultureInfo.InvariantCulture);
        var set = new ApiDataSet(Option("--data"), Number("--first-day"), (int)Number("--days"), Number("--trades"));
        await using var services = set.OpenStore();
        var client = services.GetRequiredService<IClickHouseClient>();
        var db = services.GetRequiredService<HotStoreOptions>().Database;
        switch (Option("--step"))
        {
            case "fill":
                await services.GetRequiredService<HotStoreMigrator>().MigrateAsync(CancellationToken.None);
                await set.FillAsync(client, db);
                break;
            case "drop":
                await set.DropFromHotAsync(client, db);
                break;
            case "probe":
                await set.ProbeAsync(services, (int)Number("--probe-runs"));
                break;
            default:
                throw new ArgumentException($"Unknown step {Option("--step")}.");
        }

        return 0;
    }

    /// <summary>Runs one step in a child process, with the data directory as its working directory, and prints its output.</summary>
    public async Task<bool> RunChildStepAsync(string step, params string[] extra)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Directory };
        // Started as `dotnet K2.Benchmarks.dll` rather than through its apphost (`dotnet run`): the child needs the assembly.
        var host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? new[] { typeof(ApiDataSet).Assembly.Location } : [];
        foreach (var argument in host.Concat(
                 [
                     "api-store", "--data", Directory, "--first-day", $"{FirstDay}", "--days", $"{Days}", "--trades", $"{Trades}", "--step", step,
                 ]).Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        Console.Write(output);
        return child.ExitCode == 0;
    }

    private ServiceProvider OpenStore() =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(DataDirectoryLayout.Settings(Directory)).Build())
            .AddLogging()
            .AddEmbeddedHotStore()
            .AddColdTier()
            .BuildServiceProvider();

    private ClickHouseParameters Parameters() => new ClickHouseParameters()
        .Add("exchange", Exchange).Add("symbol", Symbol).Add("from", From).Add("to", To)
        .Add("day", CandleDay).Add("day_end", CandleDayEnd).Add("rows", Trades).Add("first_id", FirstTradeId)
        .Add("span", To.Value - From.Value).Add("ingest", UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)))
        .Add("recent_rows", RecentTrades).Add("recent_from", UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)))
        .Add("recent_span", (long)TimeSpan.FromMinutes(45).TotalMicroseconds)
        .Add("since", UnixMicros.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)));

    /// <summary>
    /// The trades (one every span/rows, ids in time order, landed a minute ago over one second), the recent ones after
    /// them, and the day's candles (version 1), each one <c>INSERT … SELECT … FROM numbers()</c>.
    /// </summary>
    private async Task FillAsync(IClickHouseClient client, string db)
    {
        var started = Stopwatch.GetTimestamp();
        await client.ExecuteAsync($$"""
            INSERT INTO {{db}}.silver_trades (exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts)
            SELECT {exchange:String}, {symbol:String}, replaceAll({symbol:String}, '-', ''), toString({first_id:Int64} + number),
                   toDecimal64(87000, 8) + toDecimal64(number % 100000, 8) / 100, toDecimal64(number % 997 + 1, 8) / 1000,
                   if(number % 2 = 0, 'buy', 'sell'),
                   {from:DateTime64(6, 'UTC')} + toIntervalMicrosecond(intDiv(number * {span:Int64}, {rows:Int64})),
                   {from:DateTime64(6, 'UTC')} + toIntervalMicrosecond(intDiv(number * {span:Int64}, {rows:Int64}) + 900),
                   {ingest:DateTime64(6, 'UTC')} + toIntervalMicrosecond(number % 1000000)
            FROM numbers({rows:Int64})
            """, Parameters(), CancellationToken.None);
        await client.ExecuteAsync($$"""
            INSERT INTO {{db}}.silver_trades (exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts)
            SELECT {exchange:String}, {symbol:String}, replaceAll({symbol:String}, '-', ''), toString({first_id:Int64} + {rows:Int64} + number),
                   toDecimal64(87000, 8) + toDecimal64(number % 100000, 8) / 100, toDecimal64(number % 997 + 1, 8) / 1000,
                   if(number % 2 = 0, 'buy', 'sell'),
                   {recent_from:DateTime64(6, 'UTC')} + toIntervalMicrosecond(intDiv(number * {recent_span:Int64}, {recent_rows:Int64})),
                   {recent_from:DateTime64(6, 'UTC')} + toIntervalMicrosecond(intDiv(number * {recent_span:Int64}, {recent_rows:Int64}) + 900),
                   {ingest:DateTime64(6, 'UTC')} + toIntervalMicrosecond(number)
            FROM numbers({recent_rows:Int64})
            """, Parameters(), CancellationToken.None);
        await client.ExecuteAsync($$"""
            INSERT INTO {{db}}.ohlcv (exchange, symbol, timeframe, bucket_start, open, high, low, close, volume, quote_volume, buy_volume,
                                      sell_volume, trade_count, vwap, version, updated_at)
            SELECT {exchange:String}, {symbol:String}, '1m', {day:DateTime64(6, 'UTC')} + toIntervalMinute(number),
                   toDecimal64(87000, 8) + number, toDecimal64(87005, 8) + number, toDecimal64(86995, 8) + number, toDecimal64(87001, 8) + number,
                   toDecimal128(12.5, 8), toDecimal128(1087512.5, 16), toDecimal128(6, 8), toDecimal128(6.5, 8), 173,
                   toDecimal128(87000.5, 16) + number, 1, {ingest:DateTime64(6, 'UTC')}
            FROM numbers(1440)
            """, Parameters(), CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var (trades, candles) = (await CountAsync(client, db, "silver_trades", "exchange_ts"), await CountAsync(client, db, "ohlcv", "bucket_start"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  filled {Directory}: {trades:N0} trades in [{From}, {To}) and {RecentTrades:N0} in the last hour, {candles:N0} 1m candles, in {elapsed.TotalSeconds:0.0} s"));
    }

    /// <summary>
    /// Removes the synthetic rows (all of the symbol's: no k2 has run on this directory yet) from the hot tables, as
    /// their TTL eventually would, so only the cold tier holds them.
    /// </summary>
    private async Task DropFromHotAsync(IClickHouseClient client, string db)
    {
        var started = Stopwatch.GetTimestamp();
        await client.ExecuteAsync($$"""
            ALTER TABLE {{db}}.silver_trades DELETE
            WHERE exchange = {exchange:String} AND symbol = {symbol:String}
            SETTINGS mutations_sync = 2
            """, Parameters(), CancellationToken.None);
        await client.ExecuteAsync($$"""
            ALTER TABLE {{db}}.ohlcv DELETE
            WHERE exchange = {exchange:String} AND symbol = {symbol:String}
            SETTINGS mutations_sync = 2
            """, Parameters(), CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var (trades, candles) = (await CountAsync(client, db, "silver_trades", null), await CountAsync(client, db, "ohlcv", null));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  removed from the hot tier in {elapsed.TotalSeconds:0.0} s; left there: {trades:N0} trades, {candles:N0} candles"));
    }

    /// <summary>
    /// The API's two reads without HTTP, in this process, one after another (no ingest running): the newest 100 trades
    /// and the candle day as <see cref="TradeHistory"/> and <see cref="CandleHistory"/> serve them to the endpoints, and
    /// their parts alone: <c>SELECT 1</c> (the engine's fixed cost per statement), the catalog lookup that names the
    /// cold table, and each tier's branch of the statement by itself (the hot one with and without FINAL), over the
    /// same window the newest-first read starts with (the last hour).
    /// </summary>
    private async Task ProbeAsync(ServiceProvider services, int runs)
    {
        var client = services.GetRequiredService<IClickHouseClient>();
        var db = services.GetRequiredService<HotStoreOptions>().Database;
        var trades = services.GetRequiredService<TradeHistory>();
        var candles = services.GetRequiredService<CandleHistory>();
        var cold = services.GetRequiredService<ColdTableSource>();
        var newest = new TradeHistoryQuery(Core.Exchange.Binance, Symbol, null, null, ReadDirection.NewestFirst, null, 100);
        var day = new CandleHistoryQuery(Core.Exchange.Binance, Symbol, Timeframe.OneMinute, CandleDay, CandleDayEnd, ReadDirection.OldestFirst, null, 1440);
        var tradeColumns = string.Join(", ", TradeHistory.Columns);
        var candleColumns = string.Join(", ", CandleHistory.Columns.Where(c => c != "timeframe"));
        const string TradeOrder = "ORDER BY exchange_ts DESC, length(trade_id) DESC, trade_id DESC LIMIT 100";
        const string TradeFilter = "exchange = {exchange:String} AND symbol = {symbol:String} AND exchange_ts >= {since:DateTime64(6, 'UTC')}";
        const string CandleFilter =
            "exchange = {exchange:String} AND symbol = {symbol:String} AND bucket_start >= {day:DateTime64(6, 'UTC')} AND bucket_start < {day_end:DateTime64(6, 'UTC')}";

        await Probe("SELECT 1", "bytes", () => client.QueryAsync("SELECT 1", null, ClickHouseFormats.RowBinary, static d => d.Length, CancellationToken.None));
        await Probe("catalog lookup of cold.silver_trades", "tables", async () => await cold.TableFunctionAsync(ColdTables.SilverTrades, new ClickHouseParameters(), CancellationToken.None) is null ? 0 : 1);
        // The first read of a cold snapshot starts the aggregate that finds each instrument's cold bounds; until it has
        // answered, reads take both tiers.
        var bounds = services.GetRequiredService<ColdTimeBounds>();
        var first = Stopwatch.GetTimestamp();
        await trades.ReadAsync(newest, CancellationToken.None);
        await bounds.RefreshedAsync();
        await candles.ReadAsync(day, CancellationToken.None);
        await bounds.RefreshedAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  in-process first reads with the cold bounds aggregates of cold.silver_trades and cold.gold_ohlcv_1m: {Stopwatch.GetElapsedTime(first).TotalMilliseconds:0} ms"));
        await Probe("TradeHistory, newest 100", "rows", async () => (await trades.ReadAsync(newest, CancellationToken.None)).Count);
        await Probe("  hot branch, FINAL, last hour", "bytes", () => Rows($"SELECT {tradeColumns} FROM {db}.silver_trades FINAL WHERE {TradeFilter} {TradeOrder}", Parameters()));
        // A key's versions share their exchange time, so they share a day partition: FINAL need not merge across
        // partitions, and the partitions before the window can be skipped (with the default, they cannot).
        await Probe("  hot branch, FINAL, do_not_merge_across_partitions_select_final = 1", "bytes", () => Rows(
            $"SELECT {tradeColumns} FROM {db}.silver_trades FINAL WHERE {TradeFilter} {TradeOrder} SETTINGS do_not_merge_across_partitions_select_final = 1",
            Parameters()));
        await Probe("  hot branch without FINAL", "bytes", () => Rows($"SELECT {tradeColumns} FROM {db}.silver_trades WHERE {TradeFilter} {TradeOrder}", Parameters()));
        var coldTrades = Parameters();
        if (await cold.TableFunctionAsync(ColdTables.SilverTrades, coldTrades, CancellationToken.None) is { } coldTradesFunction)
        {
            await Probe("  cold branch (icebergLocal), last hour", "bytes", () => Rows($"SELECT {tradeColumns} FROM {coldTradesFunction} WHERE {TradeFilter} {TradeOrder}", coldTrades));
        }

        await Probe("CandleHistory, one day of 1m (the hot page kept, as k2 serves it)", "rows", async () => (await candles.ReadAsync(day, CancellationToken.None)).Count);
        // What a range not read before costs: the same reader without kept hot pages.
        var unkept = new CandleHistory(
            client, services.GetRequiredService<HotStoreOptions>(), cold, bounds, services.GetRequiredService<ColdPageCache>(), TimeProvider.System);
        await Probe("CandleHistory, one day of 1m, without kept hot pages", "rows", async () => (await unkept.ReadAsync(day, CancellationToken.None)).Count);
        await Probe("  hot branch, FINAL", "bytes", () => Rows(
            $"SELECT {candleColumns} FROM {db}.ohlcv FINAL WHERE timeframe = '1m' AND {CandleFilter} ORDER BY bucket_start LIMIT 1440", Parameters()));
        var coldCandles = Parameters();
        if (await cold.TableFunctionAsync(ColdTables.GoldOhlcv(Timeframe.OneMinute), coldCandles, CancellationToken.None) is { } coldCandlesFunction)
        {
            await Probe("  cold branch (icebergLocal)", "bytes", () => Rows($"SELECT {candleColumns} FROM {coldCandlesFunction} WHERE {CandleFilter} ORDER BY bucket_start LIMIT 1440", coldCandles));
        }

        Task<int> Rows(string sql, ClickHouseParameters parameters) =>
            client.QueryAsync(sql, parameters, ClickHouseFormats.RowBinary, static d => d.Length, CancellationToken.None);

        async Task Probe(string name, string unit, Func<Task<int>> read)
        {
            var result = 0;
            for (var i = 0; i < 20; i++)
            {
                result = await read(); // warm-up: caches, pools, JIT
            }

            var times = new List<double>(runs);
            for (var i = 0; i < runs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await read();
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            Console.WriteLine($"  in-process {name} ({result:N0} {unit}), ms: {Distribution.Describe(times, "0.00")}");
        }
    }

    /// <summary>The symbol's rows in a hot table, within [From, To) by <paramref name="timeColumn"/>, or all of them when it is null.</summary>
    private async Task<long> CountAsync(IClickHouseClient client, string db, string table, string? timeColumn) =>
        await client.QueryAsync(
            $"SELECT count() FROM {db}.{table} FINAL WHERE exchange = {{exchange:String}} AND symbol = {{symbol:String}}" +
            (timeColumn is null ? "" : $" AND {timeColumn} >= {{from:DateTime64(6, 'UTC')}} AND {timeColumn} < {{to:DateTime64(6, 'UTC')}}"),
            Parameters(), ClickHouseFormats.TabSeparated, static d => long.Parse(System.Text.Encoding.UTF8.GetString(d).Trim(), CultureInfo.InvariantCulture),
            CancellationToken.None);

    /// <summary><c>k2 offload --now --data DIR</c>, as an operator would run it with no k2 running.</summary>
    public async Task<bool> OffloadAsync()
    {
        var (exitCode, output) = await K2Process.RunToEndAsync(["offload", "--now", "--data", Directory], TimeSpan.FromMinutes(10), CancellationToken.None);
        Console.WriteLine($"  k2 offload --now exited with {exitCode}:");
        // Its table lines and summary, not its log lines.
        foreach (var line in output.Split('\n').Where(l => (l.Contains(" rows ", StringComparison.Ordinal) && l.Contains(" files ", StringComparison.Ordinal)) || l.StartsWith("k2 offload:", StringComparison.Ordinal)))
        {
            Console.WriteLine($"    {line.Trim()}");
        }

        return exitCode == 0;
    }
}
