using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Hosting;
using K2.Grains.Ingest;
using K2.Grains.Instruments;
using K2.Grains.Tests.Support;
using K2.Storage.ClickHouse;
using K2.Storage.Trades;
using K2.Storage.Writers;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Grains.Tests.Instruments;

/// <summary>The instrument grain on the real hot store, with the backfill queue observed directly.</summary>
public sealed class InstrumentGrainTests(EmbeddedClickHouseFixture fixture) : IAsyncDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(3);
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);

    private readonly List<GrainTestHost> _hosts = [];
    private string? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A host whose instrument neither probes when quiet nor reports overdue gaps, unless <paramref name="configure"/> says so.</summary>
    private async Task<GrainTestHost> StartAsync(Action<IngestOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        _database ??= (await fixture.CreateDatabaseAsync(Ct)).Database;
        var host = await GrainTestHost.StartAsync(
            configureServices: services =>
            {
                services
                    .AddTestHotStore(fixture, _database)
                    .AddSingleton(new InstrumentRegistry([Btc]))
                    .AddBackfillQueuesOfShards()
                    .AddLatestTradeWindows()
                    .AddSingleton<IngestMetrics>()
                    .Configure<IngestOptions>(o =>
                    {
                        o.GapGrace = Grace;
                        o.BackfillRetryDelay = RetryDelay;
                        o.MaxBackfillAttempts = 3;
                        o.QuietProbeAfter = TimeSpan.Zero;
                        o.GapOverdueAfter = TimeSpan.FromHours(1);
                        configure?.Invoke(o);
                    });
                configureServices?.Invoke(services);
            },
            cancellationToken: Ct);
        _hosts.Add(host);
        return host;
    }

    private static Trade Make(GrainTestHost host, long id) =>
        new(Btc, TradeId.FromNumber(id), 87_000m + id, 0.5m, TradeSide.Buy, Time(host, id), Time(host, id));

    private static UnixMicros Time(GrainTestHost host, long id) => new(UnixMicros.Now(host.Clock).Value - 1_000_000 + id);

    private static IInstrumentGrain Grain(GrainTestHost host) => host.GrainFactory.GetGrain<IInstrumentGrain>(Btc.Key);

    private static BackfillQueue Queue(GrainTestHost host) => host.Services.GetRequiredService<BackfillQueues>().For(Exchange.Binance);

    /// <summary>Sends trades and waits until the grain has processed them: a request/response call queued behind them.</summary>
    private static async Task SendAsync(GrainTestHost host, params long[] ids)
    {
        await Grain(host).OnTradesAsync([.. ids.Select(id => Make(host, id))], Ct);
        await Grain(host).GetStatusAsync();
    }

    private static async Task<IReadOnlyList<string>> StoredIdsAsync(GrainTestHost host)
    {
        var writer = host.Services.GetRequiredService<BatchedTableWriter<Trade>>();
        await Eventually.TrueAsync(() => writer.BufferedRows == 0, TimeSpan.FromSeconds(10), "rows still buffered", Ct);
        var stored = await host.Services.GetRequiredService<TradeQueries>().GetLatestAsync(Exchange.Binance, Btc.Symbol, 1_000, Ct);
        return [.. stored.Select(t => t.TradeId).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task New_trades_are_stored_once_and_repeats_are_dropped()
    {
        var host = await StartAsync();

        await SendAsync(host, 1, 2, 3);
        await SendAsync(host, 2, 3, 4);

        (await StoredIdsAsync(host)).ShouldBe(["1", "2", "3", "4"]);
    }

    [Fact]
    public async Task The_latest_trades_from_memory_are_what_the_store_returns_and_none_are_served_while_a_gap_is_open()
    {
        var host = await StartAsync();
        var windows = host.Services.GetRequiredService<LatestTradeWindows>();
        await SendAsync(host, 1, 2, 3, 4);
        await StoredIdsAsync(host);

        var memory = windows.TryGetLatest(Exchange.Binance, Btc.Symbol, 3, out _).ShouldNotBeNull();
        memory.ShouldBe(await host.Services.GetRequiredService<TradeQueries>().GetLatestAsync(Exchange.Binance, Btc.Symbol, 3, Ct));
        memory.Select(t => t.TradeId).ShouldBe(["4", "3", "2"]);
        windows.TryGetLatest(Exchange.Binance, Btc.Symbol, 5, out _).ShouldBeNull("only four trades passed through: the store may hold older ones");

        await SendAsync(host, 7);
        await StoredIdsAsync(host);
        windows.TryGetLatest(Exchange.Binance, Btc.Symbol, 1, out _).ShouldBeNull("5 and 6 are missing");
        await SendAsync(host, 6, 5); // as a backfill delivers them
        await StoredIdsAsync(host);
        (await Grain(host).GetStatusAsync()).OpenGaps.ShouldBe(0);
        windows.TryGetLatest(Exchange.Binance, Btc.Symbol, 4, out _)!.Select(t => t.TradeId).ShouldBe(["7", "6", "5", "4"]);
    }

    [Fact]
    public async Task After_a_restart_only_trades_newer_than_the_newest_stored_one_are_served_from_memory()
    {
        var first = await StartAsync();
        await SendAsync(first, 1, 2, 3);
        await StoredIdsAsync(first);
        await first.DisposeAsync();

        var second = await StartAsync();
        var windows = second.Services.GetRequiredService<LatestTradeWindows>();
        await Grain(second).GetStatusAsync(); // activates: resumes after trade 3
        await SendAsync(second, 4, 5);
        await StoredIdsAsync(second);

        windows.TryGetLatest(Exchange.Binance, Btc.Symbol, 2, out _)!.Select(t => t.TradeId).ShouldBe(["5", "4"]);
        windows.TryGetLatest(Exchange.Binance, Btc.Symbol, 3, out _).ShouldBeNull("trade 3 was stored before this activation");
    }

    [Fact]
    public async Task A_jump_in_ids_queues_a_backfill_of_exactly_the_missing_ids_once_the_grace_has_passed()
    {
        var host = await StartAsync();
        await SendAsync(host, 10);
        Queue(host).Count.ShouldBe(0);

        await SendAsync(host, 15);
        Queue(host).Count.ShouldBe(1);
        (await Grain(host).GetStatusAsync()).ShouldBe(
            new InstrumentStatus(Btc.Key, "15", Time(host, 15).ToDateTimeOffset(), 1, 4, UnixMicros.Now(host.Clock).ToDateTimeOffset()));
        // The times of the trades either side of the gap, as they were sent (the clock has not moved since).
        var (after, before) = (Time(host, 10), Time(host, 15));
        var dequeue = Queue(host).DequeueAsync(Ct);
        host.Clock.Advance(Grace - TimeSpan.FromTicks(1));
        dequeue.IsCompleted.ShouldBeFalse("a reordered frame gets the grace period to fill the gap first");
        host.Clock.Advance(TimeSpan.FromTicks(1));
        var request = await dequeue.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        request.ShouldBe(new BackfillRequest(Btc, BackfillReason.Gap, 11, 14, after, before));
    }

    [Fact]
    public async Task Backfilled_trades_fill_the_gap_and_the_completed_backfill_needs_no_retry()
    {
        var host = await StartAsync();
        await SendAsync(host, 10, 15);
        await SendAsync(host, 11, 12, 13, 14); // as the backfill worker delivers them

        await Grain(host).OnBackfillDoneAsync(new BackfillRequest(Btc, BackfillReason.Gap, 11, 14, null, null), succeeded: true, Ct);

        (await Grain(host).GetStatusAsync()).OpenGaps.ShouldBe(0);
        (await StoredIdsAsync(host)).ShouldBe(["10", "11", "12", "13", "14", "15"]);
        Queue(host).Count.ShouldBe(1, "only the gap request itself was ever queued: no retry");
    }

    [Fact]
    public async Task A_gap_that_rest_cannot_fill_is_retried_then_given_up_yet_a_late_trade_in_it_is_still_taken()
    {
        var host = await StartAsync();
        await SendAsync(host, 10, 15);
        host.Clock.Advance(Grace);
        await Queue(host).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct); // the gap's first request

        var request = new BackfillRequest(Btc, BackfillReason.Gap, 11, 14, null, null);
        for (var attempt = 1; attempt < 3; attempt++)
        {
            await Grain(host).OnBackfillDoneAsync(request with { Attempt = attempt }, succeeded: true, Ct);
            await Grain(host).GetStatusAsync(); // the retry is queued now, due a retry delay from now
            var dequeue = Queue(host).DequeueAsync(Ct);
            host.Clock.Advance(RetryDelay * attempt);
            var retry = await dequeue.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            retry.Attempt.ShouldBe(attempt + 1);
            (retry.FromId, retry.ToId).ShouldBe((11L, 14L));
        }

        await Grain(host).OnBackfillDoneAsync(request with { Attempt = 3 }, succeeded: true, Ct);
        (await Grain(host).GetStatusAsync()).MissingTrades.ShouldBe(0, "given up: no longer counted as missing");
        Queue(host).Count.ShouldBe(0, "given up: no further attempt");

        await SendAsync(host, 12, 12); // a given-up id that turns up after all is taken, once
        (await StoredIdsAsync(host)).ShouldBe(["10", "12", "15"]);
    }

    [Fact]
    public async Task A_fetch_the_exchange_did_not_answer_is_retried_with_growing_waits_and_is_not_counted_as_an_attempt()
    {
        var host = await StartAsync();
        await SendAsync(host, 10, 15);
        host.Clock.Advance(Grace);
        var request = await Queue(host).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        for (var failures = 0; failures < 5; failures++)
        {
            await Grain(host).OnBackfillDoneAsync(request, succeeded: false, Ct);
            await Grain(host).GetStatusAsync();
            var dequeue = Queue(host).DequeueAsync(Ct);
            var wait = RetryDelay * (1 << failures);
            host.Clock.Advance(wait - TimeSpan.FromTicks(1));
            dequeue.IsCompleted.ShouldBeFalse($"after {failures + 1} unanswered fetch(es) the wait is {wait}");
            host.Clock.Advance(TimeSpan.FromTicks(1));
            request = await dequeue.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            (request.Attempt, request.Failures).ShouldBe((1, failures + 1));
        }

        (await Grain(host).GetStatusAsync()).MissingTrades.ShouldBe(4, "never given up while the exchange does not answer");
    }

    [Fact]
    public async Task The_worker_fetches_only_what_is_still_missing_of_a_gap()
    {
        var host = await StartAsync();
        await SendAsync(host, 10, 21);
        var gap = new BackfillRequest(Btc, BackfillReason.Gap, 11, 20, null, null);

        await SendAsync(host, 11, 12, 20); // late frames fill both ends
        (await Grain(host).GetStillMissingAsync(gap)).ShouldBe(gap with { FromId = 13, ToId = 19 });

        await SendAsync(host, 13, 14, 15, 16, 17, 18, 19);
        (await Grain(host).GetStillMissingAsync(gap)).ShouldBeNull();

        var catchUp = new BackfillRequest(Btc, BackfillReason.CatchUp, 22, null, null, null);
        (await Grain(host).GetStillMissingAsync(catchUp)).ShouldBe(catchUp, "a catch-up has no known end: fetched while nothing newer came");
        await SendAsync(host, 22);
        (await Grain(host).GetStillMissingAsync(catchUp)).ShouldBeNull("ids without holes: a loss before trade 22 would show as a gap of its own");
    }

    [Fact]
    public async Task After_a_restart_the_grain_resumes_from_the_last_stored_trade_and_sees_what_was_missed()
    {
        var first = await StartAsync();
        await SendAsync(first, 1, 2, 3);
        (await StoredIdsAsync(first)).Count.ShouldBe(3);
        await first.DisposeAsync();

        var second = await StartAsync();
        await SendAsync(second, 3, 7);
        Queue(second).Count.ShouldBe(1);
        second.Clock.Advance(Grace);
        var gap = await Queue(second).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        (gap.Reason, gap.FromId, gap.ToId).ShouldBe((BackfillReason.Gap, 4L, 6L));
        (await StoredIdsAsync(second)).ShouldBe(["1", "2", "3", "7"], "trade 3 was stored by the first run: a duplicate now");
    }

    [Fact]
    public async Task A_restart_reopens_a_gap_that_was_still_being_fetched_when_k2_stopped()
    {
        var first = await StartAsync();
        await SendAsync(first, 1, 2, 3, 7); // 4..6 open when the process stops
        (await StoredIdsAsync(first)).Count.ShouldBe(4);
        await first.DisposeAsync();

        var second = await StartAsync();
        var status = await Grain(second).GetStatusAsync();
        var gap = await Queue(second).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        (status.HighestTradeId, status.OpenGaps, status.MissingTrades).ShouldBe(("7", 1, 3L));
        (gap.Reason, gap.FromId, gap.ToId).ShouldBe((BackfillReason.Gap, 4L, 6L), "fetched at once: its grace passed long ago");
        await SendAsync(second, 5, 7);
        (await StoredIdsAsync(second)).ShouldBe(["1", "2", "3", "5", "7"]);
        (await Grain(second).GetStatusAsync()).MissingTrades.ShouldBe(2);
    }

    [Fact]
    public async Task A_possible_loss_queues_a_catch_up_from_the_last_trade_to_the_present()
    {
        var host = await StartAsync();
        await SendAsync(host, 1, 2);

        await Grain(host).OnPossibleLossAsync("reconnected", Ct);
        var request = await Queue(host).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        request.Reason.ShouldBe(BackfillReason.CatchUp);
        request.FromId.ShouldBe(3);
        request.ToId.ShouldBeNull();
        request.After.ShouldBe(Time(host, 2));
        request.Before.ShouldBeNull();
    }

    [Fact]
    public async Task Losses_while_a_catch_up_is_pending_coalesce_into_one_more_catch_up_after_it()
    {
        var host = await StartAsync();
        await SendAsync(host, 1, 2);

        await Grain(host).OnPossibleLossAsync("reconnected", Ct);
        await Grain(host).OnPossibleLossAsync("reconnected again", Ct);
        await Grain(host).OnPossibleLossAsync("and again", Ct);
        await Grain(host).GetStatusAsync();
        Queue(host).Count.ShouldBe(1, "one catch-up queued at a time");
        var first = await Queue(host).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        await SendAsync(host, 3, 4); // what the first catch-up fetched
        await Grain(host).OnBackfillDoneAsync(first, succeeded: true, Ct);
        await Grain(host).GetStatusAsync();
        Queue(host).Count.ShouldBe(1, "the losses after the first began need one more catch-up, from where it ended");
        var second = await Queue(host).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        (second.Reason, second.FromId).ShouldBe((BackfillReason.CatchUp, 5L));

        await Grain(host).OnBackfillDoneAsync(second, succeeded: true, Ct);
        await Grain(host).GetStatusAsync();
        Queue(host).Count.ShouldBe(0, "no loss since the second began");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_gap_nothing_fetches_is_reported_when_overdue_counted_once_queued_again_and_then_reported_where_it_waits()
    {
        var overdueAfter = TimeSpan.FromSeconds(60);
        var host = await StartAsync(o => o.GapOverdueAfter = overdueAfter);
        var detected = host.Clock.GetUtcNow();
        await SendAsync(host, 10, 15);
        host.Clock.Advance(Grace);
        await Queue(host).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Queue(host).Progress.Finished(); // the request is lost: nobody reports back, nothing covers the gap

        host.Clock.Advance(overdueAfter - Grace);
        await BehindTheWatchAsync(host); // behind the watch that just ran

        var requeued = await Queue(host).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        (requeued.Reason, requeued.FromId, requeued.ToId).ShouldBe((BackfillReason.Gap, 11L, 14L));
        Overdue(host).ShouldBe([$"binance/BTC-USDT gap 11..14 (4 ids) still open after {overdueAfter}: no request covered it; queued again"]);

        // Taken again and waiting at the REST gate: the next report says so, and the gap is not counted a second time.
        var until = host.Clock.GetUtcNow().AddMinutes(5);
        Queue(host).Progress.Waiting(until, "a pause the exchange asked for");
        host.Clock.Advance(overdueAfter);
        await BehindTheWatchAsync(host);

        Overdue(host)[^1].ShouldBe(
            $"binance/BTC-USDT gap 11..14 (4 ids) still open after {2 * overdueAfter}: in flight since {Clock(detected + overdueAfter)}, waiting until {Clock(until)} for a pause the exchange asked for");
        var totals = host.Services.GetRequiredService<IngestMetrics>().Totals(Exchange.Binance);
        (totals.GapsOverdue, totals.GapsOpen, totals.TradesMissing, totals.OldestGapSince).ShouldBe((1L, 1L, 4L, (DateTimeOffset?)UnixMicros.Now(host.Clock).ToDateTimeOffset().Add(-2 * overdueAfter)));
    }

    [Fact]
    public async Task A_quiet_instrument_is_probed_for_later_trades_once_per_quiet_spell()
    {
        var quietAfter = TimeSpan.FromSeconds(5);
        var host = await StartAsync(o => o.QuietProbeAfter = quietAfter);
        await SendAsync(host, 1, 2);
        var lastTradeTime = Time(host, 2);

        host.Clock.Advance(quietAfter - TimeSpan.FromSeconds(1));
        await Grain(host).GetStatusAsync();
        Queue(host).Count.ShouldBe(0, "not quiet long enough yet");
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        await Grain(host).GetStatusAsync();

        var probe = await Queue(host).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        probe.ShouldBe(new BackfillRequest(Btc, BackfillReason.Probe, 3, null, lastTradeTime, null));
        (await Grain(host).GetStillMissingAsync(probe)).ShouldBe(probe, "nothing came since: fetched");
        await Grain(host).OnBackfillDoneAsync(probe, succeeded: true, Ct);
        host.Clock.Advance(4 * quietAfter);
        await Grain(host).GetStatusAsync();
        Queue(host).Count.ShouldBe(0, "one probe per quiet spell");

        await SendAsync(host, 3);
        host.Clock.Advance(quietAfter);
        await Grain(host).GetStatusAsync();
        var next = await Queue(host).DequeueAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        (next.Reason, next.FromId).ShouldBe((BackfillReason.Probe, 4L));
        await SendAsync(host, 4); // the stream came back before the probe went out: a gap would show by itself
        (await Grain(host).GetStillMissingAsync(next)).ShouldBeNull();
    }

    [Fact]
    public async Task A_stalled_store_makes_the_grain_hand_back_after_the_wait_limit_what_it_could_not_take_while_its_status_still_answers()
    {
        var waitLimit = TimeSpan.FromSeconds(5);
        StallingClickHouseClient store = null!;
        var host = await StartAsync(
            o => o.StoreWaitLimit = waitLimit,
            services => services
                .AddSingleton<IClickHouseClient>(sp => store = new StallingClickHouseClient(fixture.ClickHouse))
                .Configure<BatchedWriterOptions>(o => o.MaxBufferedRows = 2));
        var writer = host.Services.GetRequiredService<BatchedTableWriter<Trade>>();
        await SendAsync(host, 1);
        await Eventually.TrueAsync(() => writer.BufferedRows == 0, TimeSpan.FromSeconds(10), "trade 1 not stored", Ct);

        store.Stall();
        await SendAsync(host, 2);
        await Eventually.TrueAsync(() => store.Waiting == 1, TimeSpan.FromSeconds(10), "the insert of trade 2 did not reach the stalled store", Ct);
        var offered = Grain(host).OnTradesAsync([.. new long[] { 3, 4, 5, 6 }.Select(id => Make(host, id))], Ct);
        await Eventually.TrueAsync(() => writer.BufferedRows == 3, TimeSpan.FromSeconds(10), "trades 3 and 4 did not fill the buffer", Ct);

        // Answered while the grain waits for room for trade 5: an interleaved call runs only once that turn awaits.
        (await Grain(host).GetStatusAsync()).HighestTradeId.ShouldBe("4");
        offered.IsCompleted.ShouldBeFalse();
        host.Clock.Advance(waitLimit - TimeSpan.FromTicks(1));
        (await Grain(host).GetStatusAsync()).HighestTradeId.ShouldBe("4");
        offered.IsCompleted.ShouldBeFalse("the wait limit has not passed");
        host.Clock.Advance(TimeSpan.FromTicks(1));

        (await offered.WaitAsync(TimeSpan.FromSeconds(10), Ct)).ShouldBe(2, "3 and 4 taken; 5 and 6 handed back");
        host.Logs.Entries.Count(e => e.EventId.Id == GrainsEventIds.StoreBusy).ShouldBe(1);

        // The sender offers the rest again until it is taken; the store comes back meanwhile.
        var handover = TradeHandover.SendAsync(Grain(host), [.. new long[] { 5, 6 }.Select(id => Make(host, id))], Ct);
        await Grain(host).GetStatusAsync(); // the retry is waiting on the store now
        store.Resume();
        await handover.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        (await StoredIdsAsync(host)).ShouldBe(["1", "2", "3", "4", "5", "6"]);
        host.Logs.Entries.Count(e => e.EventId.Id == GrainsEventIds.StoreBusy).ShouldBe(1, "one warning per busy spell");
        host.Logs.Entries.Count(e => e.EventId.Id == GrainsEventIds.StoreTakesTradesAgain).ShouldBe(1);
    }

    /// <summary>
    /// Returns once the watch tick the clock just fired has run: it calls the exchange grain, and a status call, which
    /// interleaves, could return first. This call does not interleave, so it waits behind the tick.
    /// </summary>
    private static Task BehindTheWatchAsync(GrainTestHost host) =>
        Grain(host).GetStillMissingAsync(new BackfillRequest(Btc, BackfillReason.CatchUp, null, null, null, null));

    private static List<string> Overdue(GrainTestHost host) =>
        [.. host.Logs.Entries.Where(e => e.EventId.Id == GrainsEventIds.GapOverdue).Select(e => e.Message)];

    private static string Clock(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
}
