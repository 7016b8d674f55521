using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Ingest;
using K2.Grains.Tests.Support;
using K2.Storage;
using K2.Storage.Bronze;
using K2.Storage.ClickHouse;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Grains.Tests.Backfill;

/// <summary>
/// The backfill worker wired to instrument grains as the exchange grain wires it (here, grains that record what they
/// are told), to a scripted trade history and to the real bronze store.
/// </summary>
public sealed class BackfillWorkerTests(EmbeddedClickHouseFixture fixture) : IAsyncLifetime
{
    private const string RequestLine = "GET /api/v3/historicalTrades?symbol=BTCUSDT&fromId=13&limit=6";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);

    private readonly BackfillProbe _probe = new();
    private readonly ScriptedHistoryClient _history = new();
    private readonly CancellationTokenSource _stop = new();
    private GrainTestHost? _host;
    private BackfillQueue? _queue;
    private Task _run = Task.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The recording grain, not K2's own instrument grain, for an instrument key.</summary>
    private static IInstrumentGrain Recording(IGrainFactory grains, string key) =>
        grains.GetGrain<IInstrumentGrain>(key, typeof(RecordingInstrumentGrain).FullName);

    private GrainTestHost Host => _host!;

    private BackfillQueue Queue => _queue!;

    public async ValueTask InitializeAsync()
    {
        var database = (await fixture.CreateDatabaseAsync(Ct)).Database;
        _host = await GrainTestHost.StartAsync(
            configureServices: services => services
                .AddTestHotStore(fixture, database)
                .AddSingleton(_probe)
                .AddSingleton<IngestMetrics>(),
            cancellationToken: Ct);
        _queue = new BackfillQueue(Exchange.Binance, Host.Clock);
        var grains = Host.GrainFactory;
        var worker = new BackfillWorker(
            _queue,
            _history,
            (instrument, trades, ct) => Recording(grains, instrument.Key).OnTradesAsync(trades, ct),
            (request, trades, ct) => Recording(grains, request.Instrument.Key).OnTradesAsync(trades, ct),
            (request, _) => { _probe.Events.Enqueue($"requested fetched {request.After}..{request.Before}"); return Task.CompletedTask; },
            (request, _) => Recording(grains, request.Instrument.Key).GetStillMissingAsync(request),
            (request, succeeded, ct) => Recording(grains, request.Instrument.Key).OnBackfillDoneAsync(request, succeeded, ct),
            Host.Services.GetRequiredService<BronzeWriters>(),
            Host.Services.GetRequiredService<IngestMetrics>(),
            NullLogger<BackfillWorker>.Instance);
        _run = worker.RunAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(Patience, CancellationToken.None);
        _stop.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private static BackfillRequest Gap(long from, long to) => new(Btc, BackfillReason.Gap, from, to, null, null);

    private Trade Make(long id)
    {
        var time = new UnixMicros(UnixMicros.Now(Host.Clock).Value - 1_000_000 + id);
        return new Trade(Btc, TradeId.FromNumber(id), 87_000m + id, 0.5m, TradeSide.Sell, time, UnixMicros.Now(Host.Clock));
    }

    private TradeHistoryPage Page(params long[] ids) => Page([.. ids.Select(Make)], []);

    private TradeHistoryPage Page(IReadOnlyList<Trade> trades, IReadOnlyList<TradeRejection> rejections) =>
        new(trades, rejections, RequestLine, UnixMicros.Now(Host.Clock));

    private ScriptedHistoryClient.Answer Pages(params TradeHistoryPage[] pages) => async (_, onPage, ct) =>
    {
        foreach (var page in pages)
        {
            await onPage(page, ct);
        }
    };

    private Task DoneAsync(int count) =>
        Eventually.TrueAsync(() => _probe.Done.Count >= count, Patience, $"{count} backfills were never reported done", Ct);

    [Fact]
    public async Task Only_what_is_still_missing_is_fetched_each_page_goes_to_the_instrument_then_success_is_reported()
    {
        _probe.StillMissing = request => request with { FromId = 13, ToId = 18 };
        _history.Fetch = Pages(Page(13, 14, 15), Page(16, 17, 18));

        Queue.TryEnqueue(Gap(11, 20), TimeSpan.Zero).ShouldBeTrue();
        await DoneAsync(1);

        _history.Requests.ShouldBe([Gap(13, 18)]);
        _probe.Events.ShouldBe(["asked 11..20", "trades 13,14,15", "trades 16,17,18", "done 13..18 answered"]);
        _probe.Done.ToArray().ShouldBe([(Gap(13, 18), true)]);
        Host.Services.GetRequiredService<IngestMetrics>().Totals(Exchange.Binance).TradesBackfilled.ShouldBe(6);
    }

    [Fact]
    public async Task A_request_nothing_is_missing_for_is_not_fetched_and_reported_done()
    {
        _probe.StillMissing = _ => null;

        Queue.TryEnqueue(Gap(11, 20), TimeSpan.Zero);
        await DoneAsync(1);

        _history.Requests.ShouldBeEmpty();
        _probe.Events.ShouldBe(["asked 11..20", "done 11..20 answered"]);
    }

    [Fact]
    public async Task An_unanswered_fetch_is_reported_as_failed_without_counting_an_attempt_and_what_came_before_is_kept()
    {
        var queued = Gap(11, 20) with { Attempt = 2, Failures = 1 };
        _history.Fetch = async (_, onPage, ct) =>
        {
            await onPage(Page(11, 12), ct);
            throw new HttpRequestException("Binance kept failing");
        };

        Queue.TryEnqueue(queued, TimeSpan.Zero);
        await DoneAsync(1);

        _probe.Done.ToArray().ShouldBe([(queued, false)], "the worker reports the request as it was; the instrument counts the failure");
        _probe.Events.ShouldBe(["asked 11..20", "trades 11,12", "done 11..20 unanswered"]);
    }

    [Fact]
    public async Task A_fetch_that_times_out_is_reported_as_failed_not_taken_for_a_stop()
    {
        _history.Fetch = (_, _, _) => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException());

        Queue.TryEnqueue(Gap(1, 9), TimeSpan.Zero);
        await DoneAsync(1);

        _probe.Done.ToArray().ShouldBe([(Gap(1, 9), false)]);
        _run.IsCompleted.ShouldBeFalse("the worker goes on");
    }

    [Fact]
    public async Task The_worker_carries_on_with_the_next_request_after_a_failed_one()
    {
        _history.Fetch = (request, onPage, ct) => request.FromId == 1
            ? throw new InvalidOperationException("unexpected")
            : onPage(Page(request.FromId!.Value), ct);

        Queue.TryEnqueue(Gap(1, 1), TimeSpan.Zero);
        Queue.TryEnqueue(Gap(5, 5), TimeSpan.Zero);
        await DoneAsync(2);

        _probe.Done.ToArray().ShouldBe([(Gap(1, 1), false), (Gap(5, 5), true)]);
    }

    [Fact]
    public async Task A_request_the_instrument_could_not_refine_is_handed_back_unanswered_and_the_worker_carries_on()
    {
        _probe.StillMissing = request => request.FromId == 1 ? throw new InvalidOperationException("grain failed") : request;
        _history.Fetch = (request, onPage, ct) => onPage(Page(request.FromId!.Value), ct);

        Queue.TryEnqueue(Gap(1, 1), TimeSpan.Zero);
        Queue.TryEnqueue(Gap(5, 5), TimeSpan.Zero);
        await DoneAsync(2);

        _probe.Done.ToArray().ShouldBe([(Gap(1, 1), false), (Gap(5, 5), true)], "not answered: the instrument queues it again, nothing is lost");
        _history.Requests.ShouldBe([Gap(5, 5)]);
    }

    [Fact]
    public async Task Every_fetched_trade_and_rejection_is_kept_in_bronze_with_its_request_and_empty_pages_reach_no_instrument()
    {
        var rejection = new TradeRejection(TradeRejectReason.InvalidPrice, "price is not a number", "BTCUSDT", "16");
        _history.Fetch = Pages(Page([Make(13), Make(14), Make(15)], [rejection]), Page([], []));

        Queue.TryEnqueue(Gap(13, 18), TimeSpan.Zero);
        await DoneAsync(1);

        _probe.Events.ShouldBe(["asked 13..18", "trades 13,14,15", "done 13..18 answered"]);
        var bronze = Host.Services.GetRequiredService<BronzeWriters>().For(Exchange.Binance);
        await Eventually.TrueAsync(() => bronze.RowsWritten == 4, Patience, "bronze rows not written", Ct);
        var database = Host.Services.GetRequiredService<HotStoreOptions>().Database;
        var rows = await fixture.ClickHouse.QueryAsync(
            $"SELECT count(), countIf(source = 'rest'), countIf(reject_reason = 'invalid_price' AND trade_id = '16'), uniqExact(raw_frame), any(raw_frame), countIf(connection_id LIKE 'binance/%/rest') FROM {database}.bronze_trades_binance",
            null, ClickHouseFormats.TabSeparated, static data => System.Text.Encoding.UTF8.GetString(data).Trim(), Ct);
        rows.ShouldBe($"4\t4\t1\t1\t{RequestLine}\t4");
        Host.Services.GetRequiredService<IngestMetrics>().Totals(Exchange.Binance).TradesBackfilled.ShouldBe(3);
    }

    [Fact]
    public async Task Stopping_during_a_fetch_ends_the_worker_without_reporting_the_request()
    {
        var fetching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _history.Fetch = async (_, _, ct) =>
        {
            fetching.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        };
        Queue.TryEnqueue(Gap(1, 9), TimeSpan.Zero);
        await fetching.Task.WaitAsync(Patience, Ct);

        await _stop.CancelAsync();

        await _run.WaitAsync(Patience, Ct);
        _run.IsCompletedSuccessfully.ShouldBeTrue();
        _probe.Done.ShouldBeEmpty("a stop is neither an answer nor a failure of the exchange");
    }
}
