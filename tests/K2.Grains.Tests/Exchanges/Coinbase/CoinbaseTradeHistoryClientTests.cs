using System.Globalization;
using K2.Core;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Coinbase;
using K2.Grains.Tests.Exchanges.Rest;
using K2.Simulator;
using Microsoft.Extensions.Logging.Abstractions;
using static K2.Grains.Tests.Exchanges.Rest.HistorySimulator;

namespace K2.Grains.Tests.Exchanges.Coinbase;

/// <summary>
/// Coinbase's trade history client against the simulator's public market trades (<c>…/products/{id}/ticker</c>):
/// a time window's newest trades come first, so the client walks the window backwards with <c>end</c> and hands the
/// pages over oldest first.
/// </summary>
public sealed class CoinbaseTradeHistoryClientTests : IAsyncLifetime
{
    private const int Printed = 2_500;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private HistorySimulator? _history;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HistorySimulator History => _history!;

    private IReadOnlyList<PrintedTrade> Tape => History.Printed(CoinbaseBtc);

    public async ValueTask InitializeAsync() => _history = await HistorySimulator.StartAsync(Printed, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_history is not null)
        {
            await _history.DisposeAsync();
        }
    }

    private CoinbaseTradeHistoryClient Client() => new(
        History.Pager(Exchange.Coinbase), new CoinbaseOptions { RestBase = History.Simulator.CoinbaseRestBase }, History.Time,
        NullLogger<CoinbaseTradeHistoryClient>.Instance);

    private static BackfillRequest Request(UnixMicros? after, UnixMicros? before) =>
        new(CoinbaseBtc, before is null ? BackfillReason.CatchUp : BackfillReason.Gap, null, null, after, before);

    private static string Path(long startMicros, long endMicros) =>
        $"/coinbase/api/v3/brokerage/market/products/BTC-USD/ticker?limit=1000&start={Seconds(startMicros)}&end={Seconds(endMicros)}";

    private static string Seconds(long micros) => (micros / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);

    /// <summary>The trades a window should bring: from a microsecond before <paramref name="after"/> up to <paramref name="before"/>.</summary>
    private List<PrintedTrade> Window(UnixMicros after, UnixMicros before) =>
        [.. Tape.Where(t => t.TradeTime.Value >= after.Value - 1 && t.TradeTime <= before)];

    private static List<Trade> FirstOfEachId(IEnumerable<Trade> trades) => [.. trades.DistinctBy(t => t.TradeId)];

    [Fact]
    public async Task A_window_is_walked_backwards_page_by_page_and_handed_over_oldest_first()
    {
        var (after, before) = (Tape[100].TradeTime, Tape[2300].TradeTime);
        var expected = Window(after, before);

        var pages = await FetchAsync(Client(), Request(after, before), Ct);

        // Each page ends just after the previous page's oldest trade: that instant is asked again, as several trades
        // may share it, and the repeat is dropped downstream.
        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe(
        [
            Path(after.Value - 1, before.Value + 1),
            Path(after.Value - 1, expected[^1000].TradeTime.Value + 1),
            Path(after.Value - 1, expected[^1999].TradeTime.Value + 1),
        ]);
        pages.Select(p => p.Trades.Count).ShouldBe([expected.Count - 1998, 1000, 1000]);
        pages.Select(p => p.Request).ShouldBe(History.Log.Sent.Select(r => "GET " + r.PathAndQuery["/coinbase".Length..]).Reverse());
        var delivered = pages.SelectMany(p => p.Trades).ToList();
        delivered.Select(t => t.ExchangeTime.Value).ShouldBeInOrder(SortDirection.Ascending);
        ShouldMatch(FirstOfEachId(delivered), expected, CoinbaseBtc);
        delivered.Count.ShouldBe(expected.Count + 2, "only the two page boundaries repeat");
    }

    [Fact]
    public async Task A_catch_up_runs_to_the_present()
    {
        History.Time.Advance(TimeSpan.FromSeconds(1)); // the market is paused: the newest trade is a second old
        var after = Tape[2000].TradeTime;

        var pages = await FetchAsync(Client(), Request(after, null), Ct);

        History.Log.Sent.Select(r => r.PathAndQuery).ShouldBe([Path(after.Value - 1, UnixMicros.Now(History.Time).Value + 1)]);
        ShouldMatch(pages.ShouldHaveSingleItem().Trades, Window(after, Tape[^1].TradeTime), CoinbaseBtc);
    }

    [Fact]
    public async Task A_window_without_trades_gets_one_empty_page()
    {
        var after = new UnixMicros(Tape[^1].TradeTime.Value + 1_000);

        var pages = await FetchAsync(Client(), Request(after, new UnixMicros(after.Value + 1_000)), Ct);

        var page = pages.ShouldHaveSingleItem();
        page.Trades.ShouldBeEmpty();
        page.Rejections.ShouldBeEmpty();
        History.Log.Sent.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_instrument_with_no_time_to_continue_from_asks_nothing()
    {
        var pages = await FetchAsync(Client(), new BackfillRequest(CoinbaseBtc, BackfillReason.Gap, 5, 9, null, null), Ct);

        pages.ShouldBeEmpty();
        History.Log.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_429_is_waited_out_for_its_Retry_After_and_the_window_fetched_then()
    {
        var (after, before) = (Tape[10].TradeTime, Tape[20].TradeTime);
        History.Simulator.Faults.FailRestRequests(Exchange.Coinbase, 1, RestFault.TooManyRequests, TimeSpan.FromSeconds(2));
        var start = History.Time.GetUtcNow();

        var fetch = FetchAsync(Client(), Request(after, before), Ct);
        await History.Time.WaitForTimersAsync(1, Ct);
        History.Time.Timers.ShouldBe([TimeSpan.FromSeconds(2)]);
        History.Time.Advance(TimeSpan.FromSeconds(2));
        var pages = await fetch.WaitAsync(Patience, Ct);

        History.Log.Sent.Select(r => r.At - start).ShouldBe([TimeSpan.Zero, TimeSpan.FromSeconds(2)]);
        ShouldMatch(pages.ShouldHaveSingleItem().Trades, Window(after, before), CoinbaseBtc);
    }
}
