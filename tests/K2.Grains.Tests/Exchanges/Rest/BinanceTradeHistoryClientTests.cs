using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Binance;
using K2.Grains.Exchanges.Rest;
using K2.Simulator;
using static K2.Grains.Tests.Exchanges.Rest.HistorySimulator;

namespace K2.Grains.Tests.Exchanges.Rest;

/// <summary>
/// Binance's trade history client against the simulator's <c>/api/v3/historicalTrades</c>: pages by id with
/// <c>fromId</c> and <c>limit</c> (at most 1000), in microseconds, each page costing 25 of the request weight; a
/// requested time range first asks <c>/api/v3/aggTrades</c> (weight 4) for the id its start lies at.
/// </summary>
public sealed class BinanceTradeHistoryClientTests : IAsyncLifetime
{
    private const int Printed = 2_500;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private HistorySimulator? _history;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HistorySimulator History => _history!;

    private IReadOnlyList<PrintedTrade> Tape => History.Printed(BinanceBtc);

    public async ValueTask InitializeAsync() => _history = await HistorySimulator.StartAsync(Printed, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_history is not null)
        {
            await _history.DisposeAsync();
        }
    }

    private BinanceTradeHistoryClient Client(RestRequestGate? gate = null) =>
        new(History.Pager(Exchange.Binance, gate), new BinanceOptions { RestBase = History.Simulator.BinanceRestBase }, History.Time);

    private static BackfillRequest Gap(long fromId, long? toId) => new(BinanceBtc, BackfillReason.Gap, fromId, toId, null, null);

    private static string Path(long fromId, int limit) =>
        $"/binance{BinanceEndpoints.HistoricalTradesPath}?symbol=BTCUSDT&fromId={fromId}&limit={limit}";

    private static BackfillRequest Range(UnixMicros from, UnixMicros to) => new(BinanceBtc, BackfillReason.Requested, null, null, from, to);

    private static string StartPath(UnixMicros from) =>
        $"/binance{BinanceEndpoints.AggregateTradesPath}?symbol=BTCUSDT&startTime={from.Value / 1_000}&limit=1";

    /// <summary>The trade the aggregate at <paramref name="from"/>'s millisecond starts with.</summary>
    private long FirstIdOfMillisecond(UnixMicros from) => Tape.First(t => t.TradeTime.Value >= from.Value / 1_000 * 1_000).TradeId;

    [Fact]
    public async Task A_requested_range_starts_at_the_id_aggTrades_names_and_passes_on_exactly_its_trades()
    {
        // One microsecond after trade 300 to trade 1700 (exclusive): trades 301 to 1699.
        var (from, to) = (new UnixMicros(Tape[300].TradeTime.Value + 1), Tape[1700].TradeTime);
        var firstId = FirstIdOfMillisecond(from);

        var pages = await FetchAsync(Client(), Range(from, to), Ct);

        // The second page holds the range's end, so no third is asked for though it came back full.
        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([StartPath(from), Path(firstId, 1000), Path(firstId + 1000, 1000)]);
        ShouldMatch([.. pages.SelectMany(p => p.Trades)], [.. Tape.Skip(301).Take(1399)], BinanceBtc);
        pages.ShouldAllBe(p => p.Rejections.Count == 0);
    }

    [Fact]
    public async Task A_requested_range_after_the_newest_trade_asks_only_aggTrades()
    {
        var from = new UnixMicros(Tape[^1].TradeTime.Value + 1_000);

        var pages = await FetchAsync(Client(), Range(from, new UnixMicros(from.Value + 5_000_000)), Ct);

        pages.ShouldBeEmpty();
        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([StartPath(from)]);
    }

    [Fact]
    public async Task Finding_a_range_start_costs_4_of_the_weight_and_a_418_on_it_is_waited_out()
    {
        // A budget of two aggTrades (the refused one was charged too) and one page: the next page waits for the minute to roll.
        var gate = new RestRequestGate((2 * BinanceEndpoints.AggregateTradesWeight) + BinanceEndpoints.HistoricalTradesWeight, BinanceEndpoints.RequestWeightInterval, History.Time);
        var (from, to) = (Tape[1000].TradeTime, Tape[2200].TradeTime);
        var firstId = FirstIdOfMillisecond(from);
        History.Simulator.Faults.FailRestRequests(Exchange.Binance, 1, RestFault.Banned, TimeSpan.FromSeconds(3));
        var start = History.Time.GetUtcNow();

        var fetch = FetchAsync(Client(gate), Range(from, to), Ct);
        await History.Time.WaitForTimersAsync(1, Ct);
        History.Time.Advance(TimeSpan.FromSeconds(3));
        await History.Time.WaitForTimersAsync(2, Ct);
        History.Time.Timers.ShouldBe([TimeSpan.FromSeconds(3), BinanceEndpoints.RequestWeightInterval - TimeSpan.FromSeconds(3)]);
        History.Time.Advance(BinanceEndpoints.RequestWeightInterval);
        var pages = await fetch.WaitAsync(Patience, Ct);

        History.Log.Sent.Select(r => (r.PathAndQuery, r.At - start)).ShouldBe([
            (StartPath(from), TimeSpan.Zero),
            (StartPath(from), TimeSpan.FromSeconds(3)),
            (Path(firstId, 1000), TimeSpan.FromSeconds(3)),
            (Path(firstId + 1000, 1000), TimeSpan.FromSeconds(3) + BinanceEndpoints.RequestWeightInterval),
        ]);
        ShouldMatch([.. pages.SelectMany(p => p.Trades)], [.. Tape.Skip(1000).Take(1200)], BinanceBtc);
    }

    [Fact]
    public async Task A_gap_is_fetched_by_id_exactly_in_pages_of_at_most_a_thousand()
    {
        var (from, to) = (Tape[100].TradeId, Tape[2300].TradeId);

        var pages = await FetchAsync(Client(), Gap(from, to), Ct);

        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([Path(from, 1000), Path(from + 1000, 1000), Path(from + 2000, 201)]);
        pages.Select(p => p.Trades.Count).ShouldBe([1000, 1000, 201]);
        pages.Select(p => p.Request).ShouldBe(History.Log.Sent.Select(r => "GET " + r.PathAndQuery[("/binance".Length)..]));
        pages.ShouldAllBe(p => p.Rejections.Count == 0);
        ShouldMatch([.. pages.SelectMany(p => p.Trades)], [.. Tape.Skip(100).Take(2201)], BinanceBtc);
    }

    [Fact]
    public async Task A_gap_of_exactly_one_page_costs_one_request()
    {
        var from = Tape[500].TradeId;

        var pages = await FetchAsync(Client(), Gap(from, from + 999), Ct);

        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([Path(from, 1000)]);
        ShouldMatch(pages.ShouldHaveSingleItem().Trades, [.. Tape.Skip(500).Take(1000)], BinanceBtc);
    }

    [Fact]
    public async Task A_catch_up_pages_on_until_the_present_is_reached()
    {
        var from = Tape[1200].TradeId;

        var pages = await FetchAsync(Client(), Gap(from, null) with { Reason = BackfillReason.CatchUp }, Ct);

        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([Path(from, 1000), Path(from + 1000, 1000)]);
        pages.Select(p => p.Trades.Count).ShouldBe([1000, 300]);
        ShouldMatch([.. pages.SelectMany(p => p.Trades)], [.. Tape.Skip(1200)], BinanceBtc);
    }

    [Fact]
    public async Task A_catch_up_that_ends_on_a_full_page_asks_once_more_and_stops_at_the_empty_answer()
    {
        var from = Tape[1500].TradeId;

        var pages = await FetchAsync(Client(), Gap(from, null) with { Reason = BackfillReason.CatchUp }, Ct);

        pages.Select(p => p.Trades.Count).ShouldBe([1000, 0]);
        History.Log.Sent.Count.ShouldBe(2);
        ShouldMatch([.. pages.SelectMany(p => p.Trades)], [.. Tape.Skip(1500)], BinanceBtc);
    }

    [Fact]
    public async Task Ids_past_the_newest_trade_get_one_empty_page()
    {
        var from = Tape[^1].TradeId + 1;

        var pages = await FetchAsync(Client(), Gap(from, from + 10), Ct);

        var page = pages.ShouldHaveSingleItem();
        page.Trades.ShouldBeEmpty();
        page.Rejections.ShouldBeEmpty();
        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([Path(from, 11)]);
    }

    [Fact]
    public async Task An_instrument_with_no_id_to_continue_from_asks_nothing()
    {
        var pages = await FetchAsync(Client(), new BackfillRequest(BinanceBtc, BackfillReason.CatchUp, null, null, new UnixMicros(1), null), Ct);

        pages.ShouldBeEmpty();
        History.Log.Sent.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(RestFault.TooManyRequests)]
    [InlineData(RestFault.Banned)]
    public async Task A_429_or_418_from_Binance_is_waited_out_for_its_Retry_After_and_the_page_fetched_then(RestFault fault)
    {
        var from = Tape[0].TradeId;
        History.Simulator.Faults.FailRestRequests(Exchange.Binance, 1, fault, TimeSpan.FromSeconds(3));
        var start = History.Time.GetUtcNow();

        var fetch = FetchAsync(Client(), Gap(from, from + 9), Ct);
        await History.Time.WaitForTimersAsync(1, Ct);
        History.Time.Timers.ShouldBe([TimeSpan.FromSeconds(3)]);
        History.Time.Advance(TimeSpan.FromSeconds(3));
        var pages = await fetch.WaitAsync(Patience, Ct);

        History.Log.Sent.Select(r => (r.PathAndQuery, r.At - start)).ShouldBe([(Path(from, 10), TimeSpan.Zero), (Path(from, 10), TimeSpan.FromSeconds(3))]);
        ShouldMatch(pages.ShouldHaveSingleItem().Trades, [.. Tape.Take(10)], BinanceBtc);
    }

    [Fact]
    public async Task Pages_beyond_the_weight_budget_wait_for_the_minute_to_roll()
    {
        var from = Tape[0].TradeId;
        var gate = new RestRequestGate(2 * BinanceEndpoints.HistoricalTradesWeight, BinanceEndpoints.RequestWeightInterval, History.Time);
        var start = History.Time.GetUtcNow();

        var fetch = FetchAsync(Client(gate), Gap(from, from + 2499), Ct);
        await History.Time.WaitForTimersAsync(1, Ct);
        History.Log.Sent.Count.ShouldBe(2, "two pages fit the budget");
        History.Time.Advance(BinanceEndpoints.RequestWeightInterval);
        var pages = await fetch.WaitAsync(Patience, Ct);

        History.Log.Sent.Select(r => r.At - start).ShouldBe([TimeSpan.Zero, TimeSpan.Zero, BinanceEndpoints.RequestWeightInterval]);
        pages.Select(p => p.Trades.Count).ShouldBe([1000, 1000, 500]);
    }
}
