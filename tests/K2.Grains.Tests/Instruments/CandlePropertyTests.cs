using FsCheck;
using FsCheck.Fluent;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Configuration;
using K2.Grains.Hosting;
using K2.Grains.Ingest;
using K2.Grains.Tests.Support;
using K2.Storage.ClickHouse;
using K2.Storage.Writers;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FSharp.Core;

namespace K2.Grains.Tests.Instruments;

/// <summary>
/// Whatever order trades arrive in (reordered, repeated, late by hours, backfilled after gaps, across restarts and
/// several candle writes), the candles the instrument grain stores equal the candles an independent SQL query computes
/// from the stored trades, for every timeframe and field, exactly.
/// </summary>
public sealed class CandlePropertyTests(EmbeddedClickHouseFixture fixture)
{
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 8, 8);

    /// <summary>Short, so trades late by hours find their buckets gone from memory and recomputed from the store.</summary>
    private static readonly TimeSpan MemoryWindow = TimeSpan.FromMinutes(20);

    /// <summary>Just before a UTC midnight, so daily and hourly buckets are crossed.</summary>
    private static readonly UnixMicros Start = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 20, 21, 40, 0, TimeSpan.Zero));

    private static readonly Config Runs = Config.QuickThrowOnFailure
        .WithMaxTest(50)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20261122UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record TradeSpec(long Id, long TimeOffsetMicros, long PriceUnits, long QuantityUnits, bool Buy);

    /// <summary>One delivery to the grain; then optionally a candle write (the clock passes the write interval) and a restart.</summary>
    private sealed record Batch(long[] Ids, bool WriteCandlesAfter, bool RestartAfter);

    private sealed record Scenario(TradeSpec[] Trades, Batch[] Batches)
    {
        public override string ToString() =>
            $"{Trades.Length} trades: {string.Join(" ", Trades.Select(t => $"{t.Id}@{t.TimeOffsetMicros / 1_000_000}s:{t.PriceUnits}x{t.QuantityUnits}{(t.Buy ? "b" : "s")}"))}" +
            $"{Environment.NewLine}batches: {string.Join(" | ", Batches.Select(b => string.Join(",", b.Ids) + (b.WriteCandlesAfter ? " W" : "") + (b.RestartAfter ? " R" : "")))}";
    }

    [Fact]
    public void Stored_candles_equal_candles_recomputed_from_stored_trades()
    {
        Prop.ForAll(Scenarios().ToArbitrary(), scenario => RunAsync(scenario).GetAwaiter().GetResult()).Check(Runs);
    }

    [Fact]
    public async Task After_a_crash_that_lost_the_last_candle_writes_a_resuming_instrument_rewrites_its_newest_candles()
    {
        var database = (await fixture.CreateDatabaseAsync(Ct)).Database;
        TradeSpec[] trades = [new(1, 0, 100_00000000, 1_00000000, true), new(2, 30_000_000, 101_00000000, 2_00000000, false)];
        await using (var crashed = await StartAsync(database))
        {
            // Trades that reached silver while their candles never did, as when the process dies between the two.
            var silver = crashed.Services.GetRequiredService<K2.Storage.Writers.BatchedTableWriter<Trade>>();
            foreach (var trade in trades)
            {
                await silver.WriteAsync(ToTrade(trade), Ct);
            }
        }

        (await QueryAsync(CandleRecomputation.StoredCandlesSql(database))).ShouldBeEmpty();
        await using (var resumed = await StartAsync(database))
        {
            await resumed.GrainFactory.GetGrain<IInstrumentGrain>(Btc.Key).GetStatusAsync(); // activates, resumes
        }

        var stored = await QueryAsync(CandleRecomputation.StoredCandlesSql(database));
        stored.Length.ShouldBe(6, "one candle per timeframe for the bucket of the newest stored trade");
        stored.ShouldBe(await QueryAsync(CandleRecomputation.RecomputedCandlesSql(database)));
    }

    [Fact]
    public async Task Trades_another_writer_stored_in_buckets_the_grain_holds_are_in_its_later_candles_once_it_is_told()
    {
        var database = (await fixture.CreateDatabaseAsync(Ct)).Database;
        await using (var host = await StartAsync(database))
        {
            var grain = host.GrainFactory.GetGrain<IInstrumentGrain>(Btc.Key);
            await grain.OnTradesAsync([ToTrade(new(10, 0, 100_00000000, 1_00000000, true)), ToTrade(new(11, 10_000_000, 101_00000000, 1_00000000, true))], Ct);
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            await grain.GetStatusAsync(); // the candles of 10 and 11 are written and stay in memory

            // A requested backfill's trade: a new low in the same buckets, stored straight to silver.
            var elsewhere = ToTrade(new(5, 5_000_000, 50_00000000, 2_00000000, false));
            var silver = host.Services.GetRequiredService<BatchedTableWriter<Trade>>();
            await silver.WriteAsync(elsewhere, Ct);
            await silver.WhenWrittenAsync(Ct);
            await grain.OnTradesStoredElsewhereAsync(elsewhere.ExchangeTime, new UnixMicros(elsewhere.ExchangeTime.Value + 1), Ct);

            await grain.OnTradesAsync([ToTrade(new(12, 20_000_000, 102_00000000, 1_00000000, false))], Ct);
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            await grain.GetStatusAsync();
        }

        var stored = await QueryAsync(CandleRecomputation.StoredCandlesSql(database));
        stored.Length.ShouldBe(6, "one candle per timeframe: all four trades share every bucket");
        stored.ShouldAllBe(candle => candle.Contains("\t4\t", StringComparison.Ordinal), "each candle counts the four trades");
        stored.ShouldBe(await QueryAsync(CandleRecomputation.RecomputedCandlesSql(database)));
    }

    private static Gen<Scenario> Scenarios() =>
        from count in Gen.Choose(1, 80)
        from steps in Gen.ListOf(Gen.Frequency(
            (3, Gen.Constant(0L)), // trades sharing a timestamp: the id decides open and close
            (6, Gen.Choose(1, 90_000).Select(ms => ms * 1_000L)),
            (2, Gen.Choose(60, 2_400).Select(s => s * 1_000_000L))), count)
        from prices in Gen.ListOf(Gen.Choose(1, 2_000_000).Select(p => p * 1_000L + 7), count) // up to 8 decimals
        from quantities in Gen.ListOf(Gen.Frequency((3, Gen.Choose(1, 1_000)), (1, Gen.Choose(1, 2_000_000_000))).Select(q => (long)q), count)
        from sides in Gen.ListOf(Gen.Elements(true, false), count)
        from missing in Gen.ListOf(Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true))), count)
        from seed in Gen.Choose(0, int.MaxValue)
        select Build(count, [.. steps], [.. prices], [.. quantities], [.. sides], [.. missing], seed);

    /// <summary>
    /// The stream delivers the trades in small batches, each shuffled, with some trades repeated; the ids it missed
    /// arrive at the end in shuffled batches as a backfill would deliver them, by then hours behind the newest trade.
    /// </summary>
    private static Scenario Build(int count, long[] steps, long[] prices, long[] quantities, bool[] sides, bool[] missing, int seed)
    {
        var random = new Random(seed);
        var offset = 0L;
        var trades = new TradeSpec[count];
        for (var i = 0; i < count; i++)
        {
            offset += steps[i];
            trades[i] = new TradeSpec(i + 1, offset, prices[i], quantities[i], sides[i]);
        }

        // The first trade comes first: ids below the first one seen are history to the grain, not gaps.
        var streamed = trades.Where((t, i) => i == 0 || !missing[i]).Select(t => t.Id).ToList();
        var backfilled = trades.Where((t, i) => i > 0 && missing[i]).Select(t => t.Id).ToList();
        var batches = new List<Batch>();
        void Deliver(List<long> ids, bool shuffleFirst)
        {
            for (var at = 0; at < ids.Count;)
            {
                var size = Math.Min(random.Next(1, 8), ids.Count - at);
                var batch = ids.GetRange(at, size);
                if (shuffleFirst || at > 0)
                {
                    random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
                }

                if (random.Next(5) == 0)
                {
                    batch.Add(ids[random.Next(0, at + size)]); // a repeat of something already sent
                }

                batches.Add(new Batch([.. batch], WriteCandlesAfter: random.Next(3) == 0, RestartAfter: random.Next(12) == 0));
                at += size;
            }
        }

        Deliver(streamed, shuffleFirst: false);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(backfilled));
        Deliver(backfilled, shuffleFirst: true);
        return new Scenario(trades, [.. batches]);
    }

    private async Task<bool> RunAsync(Scenario scenario)
    {
        var database = (await fixture.CreateDatabaseAsync(Ct)).Database;
        var byId = scenario.Trades.ToDictionary(t => t.Id);
        var host = await StartAsync(database);
        try
        {
            foreach (var batch in scenario.Batches)
            {
                var grain = host.GrainFactory.GetGrain<IInstrumentGrain>(Btc.Key);
                await grain.OnTradesAsync([.. batch.Ids.Select(id => ToTrade(byId[id]))], Ct);
                if (batch.WriteCandlesAfter)
                {
                    host.Clock.Advance(TimeSpan.FromSeconds(1));
                }

                await grain.GetStatusAsync(); // queued behind the trades and the candle write: both are done
                if (batch.RestartAfter)
                {
                    await host.DisposeAsync();
                    host = await StartAsync(database);
                }
            }
        }
        finally
        {
            await host.DisposeAsync(); // deactivation writes the last candles; the writers drain
        }

        var stored = await QueryAsync(CandleRecomputation.StoredCandlesSql(database));
        var recomputed = await QueryAsync(CandleRecomputation.RecomputedCandlesSql(database));
        stored.ShouldNotBeEmpty();
        stored.ShouldBe(recomputed, $"ohlcv FINAL (left) against silver_trades (right) for {scenario}");
        return true;
    }

    private async Task<GrainTestHost> StartAsync(string database) => await GrainTestHost.StartAsync(
                configureServices: services => services
            .AddTestHotStore(fixture, database)
            .AddSingleton(new InstrumentRegistry([Btc]))
            .AddBackfillQueuesOfShards()
            .AddLatestTradeWindows()
            .AddSingleton<IngestMetrics>()
            .Configure<IngestOptions>(o =>
            {
                o.CandleMemoryWindow = MemoryWindow;
                o.ReconcileInterval = TimeSpan.Zero;
            }),
        cancellationToken: Ct);

    private static Trade ToTrade(TradeSpec spec)
    {
        var time = new UnixMicros(Start.Value + spec.TimeOffsetMicros);
        return new Trade(
            Btc, TradeId.FromNumber(spec.Id), spec.PriceUnits / 100_000_000m, spec.QuantityUnits / 100_000_000m,
            spec.Buy ? TradeSide.Buy : TradeSide.Sell, time, time);
    }

    private async Task<string[]> QueryAsync(string sql) =>
        await fixture.ClickHouse.QueryAsync(sql, null, ClickHouseFormats.TabSeparated, static data =>
            System.Text.Encoding.UTF8.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries), Ct);
}
