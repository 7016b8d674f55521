using K2.Core;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Kraken;
using K2.Grains.Exchanges.Rest;
using K2.Grains.Tests.Exchanges.Rest;
using K2.Simulator;
using static K2.Grains.Tests.Exchanges.Rest.HistorySimulator;

namespace K2.Grains.Tests.Exchanges.Kraken;

/// <summary>
/// Kraken's trade history client against the simulator's <c>/0/public/Trades</c>: pages by time with <c>since</c>,
/// continuing from each answer's nanosecond <c>last</c> cursor, 1000 trades a page; throttling is an HTTP-200 error.
/// </summary>
public sealed class KrakenTradeHistoryClientTests : IAsyncLifetime
{
    private const int Printed = 2_500;
    private const long NanosPerMicro = 1_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ThrottlePause = TimeSpan.FromSeconds(5);

    private HistorySimulator? _history;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HistorySimulator History => _history!;

    private IReadOnlyList<PrintedTrade> Tape => History.Printed(KrakenBtc);

    public async ValueTask InitializeAsync() => _history = await HistorySimulator.StartAsync(Printed, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_history is not null)
        {
            await _history.DisposeAsync();
        }
    }

    private KrakenTradeHistoryClient Client(RestRequestGate? gate = null) =>
        new(History.Pager(Exchange.Kraken, gate), new KrakenOptions { RestBase = History.Simulator.KrakenRestBase, RestThrottlePause = ThrottlePause }, History.Time);

    private static BackfillRequest Request(UnixMicros? after, long? toId) =>
        new(KrakenBtc, toId is null ? BackfillReason.CatchUp : BackfillReason.Gap, null, toId, after, null);

    private static string Path(long sinceNanoseconds) => $"/kraken/0/public/Trades?pair=XBTUSD&since={sinceNanoseconds}&count=1000";

    private static long Nanoseconds(PrintedTrade trade) => trade.TradeTime.Value * NanosPerMicro;

    [Fact]
    public async Task A_gap_is_fetched_from_the_last_trade_passed_on_following_the_last_cursor_until_its_last_id()
    {
        var after = Tape[100].TradeTime;

        var pages = await FetchAsync(Client(), Request(after, Tape[1500].TradeId), Ct);

        // From one microsecond before the last trade passed on (it is fetched again); then from each page's cursor;
        // and no further once a page holds the last missing id.
        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([Path((after.Value - 1) * NanosPerMicro), Path(Nanoseconds(Tape[1099]))]);
        pages.Select(p => p.Trades.Count).ShouldBe([1000, 1000]);
        pages.Select(p => p.Request).ShouldBe(History.Log.Sent.Select(r => "GET " + r.PathAndQuery["/kraken".Length..]));
        ShouldMatch([.. pages.SelectMany(p => p.Trades)], [.. Tape.Skip(100).Take(2000)], KrakenBtc);
    }

    [Fact]
    public async Task A_catch_up_pages_on_until_a_short_page_marks_the_present()
    {
        var after = Tape[1200].TradeTime;

        var pages = await FetchAsync(Client(), Request(after, null), Ct);

        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([Path((after.Value - 1) * NanosPerMicro), Path(Nanoseconds(Tape[2199]))]);
        pages.Select(p => p.Trades.Count).ShouldBe([1000, 300]);
        ShouldMatch([.. pages.SelectMany(p => p.Trades)], [.. Tape.Skip(1200)], KrakenBtc);
    }

    [Fact]
    public async Task A_requested_range_stops_paging_once_a_page_reaches_its_end()
    {
        // [trade 100, trade 1200): the first page ends at trade 1099, before the end; the second passes it.
        var request = new BackfillRequest(KrakenBtc, BackfillReason.Requested, null, null, Tape[100].TradeTime, Tape[1200].TradeTime);

        var pages = await FetchAsync(Client(), request, Ct);

        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([Path((Tape[100].TradeTime.Value - 1) * NanosPerMicro), Path(Nanoseconds(Tape[1099]))]);
        pages.Select(p => p.Trades.Count).ShouldBe([1000, 1000]);
    }

    [Fact]
    public async Task A_catch_up_that_ends_on_a_full_page_asks_once_more_and_stops_at_the_empty_answer()
    {
        var after = Tape[1500].TradeTime;

        var pages = await FetchAsync(Client(), Request(after, null), Ct);

        pages.Select(p => p.Trades.Count).ShouldBe([1000, 0]);
        History.Log.Sent[^1].PathAndQuery.ShouldBe(Path(Nanoseconds(Tape[^1])));
        ShouldMatch([.. pages.SelectMany(p => p.Trades)], [.. Tape.Skip(1500)], KrakenBtc);
    }

    [Fact]
    public async Task A_time_after_the_newest_trade_gets_one_empty_page()
    {
        var after = new UnixMicros(Tape[^1].TradeTime.Value + 1_000);

        var pages = await FetchAsync(Client(), Request(after, null), Ct);

        var page = pages.ShouldHaveSingleItem();
        page.Trades.ShouldBeEmpty();
        page.Rejections.ShouldBeEmpty();
        History.Log.Sent.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_instrument_with_no_time_to_continue_from_asks_nothing()
    {
        var pages = await FetchAsync(Client(), new BackfillRequest(KrakenBtc, BackfillReason.Gap, 5, 9, null, null), Ct);

        pages.ShouldBeEmpty();
        History.Log.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_error_reply_fails_the_fetch_at_once()
    {
        var unknown = KrakenBtc with { RestSymbol = "NOPEUSD" };

        await Should.ThrowAsync<HttpRequestException>(
            () => FetchAsync(Client(), Request(Tape[0].TradeTime, null) with { Instrument = unknown }, Ct));

        History.Log.Sent.Count.ShouldBe(1, "an HTTP-200 error is an answer, not a failure to retry");
    }

    [Fact]
    public async Task Each_of_Krakens_throttling_replies_pauses_requests_for_the_same_time_then_the_page_is_fetched()
    {
        var after = Tape[2400].TradeTime;
        History.Simulator.Faults.FailRestRequests(Exchange.Kraken, 2, RestFault.Throttled, TimeSpan.Zero);
        var start = History.Time.GetUtcNow();

        var fetch = FetchAsync(Client(), Request(after, null), Ct);
        await History.Time.WaitForTimersAsync(1, Ct);
        History.Time.Advance(ThrottlePause);
        await History.Time.WaitForTimersAsync(2, Ct);
        History.Time.Advance(ThrottlePause);
        var pages = await fetch.WaitAsync(Patience, Ct);

        History.Time.Timers.ShouldBe([ThrottlePause, ThrottlePause], "no growth: a run of throttles must not hold the worker for minutes");
        History.Log.Sent.Select(r => r.At - start).ShouldBe([TimeSpan.Zero, ThrottlePause, ThrottlePause * 2]);
        History.Log.Sent.Select(r => r.PathAndQuery).Distinct().ShouldHaveSingleItem("a throttled page is asked again, unchanged");
        pages.ShouldHaveSingleItem().Trades.Count.ShouldBe(100, "the throttling replies hand over no page");
        History.Simulator.Faults.Counts(Exchange.Kraken)[FaultKind.RestThrottled].ShouldBe(2);
    }

    [Fact]
    public async Task At_one_request_a_second_each_page_waits_its_turn()
    {
        var gate = new RestRequestGate(1, TimeSpan.FromSeconds(1), History.Time);
        var start = History.Time.GetUtcNow();

        var fetch = FetchAsync(Client(gate), Request(new UnixMicros(Tape[0].TradeTime.Value), null), Ct);
        for (var page = 1; page <= 2; page++)
        {
            await History.Time.WaitForTimersAsync(page, Ct);
            History.Log.Sent.Count.ShouldBe(page);
            History.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var pages = await fetch.WaitAsync(Patience, Ct);
        History.Log.Sent.Select(r => r.At - start).ShouldBe([TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        pages.Select(p => p.Trades.Count).ShouldBe([1000, 1000, 500]);
    }
}
