using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Instruments;
using K2.Storage.Trades;

namespace K2.Grains.Tests.Instruments;

public sealed class LatestTradesWindowTests
{
    private static readonly Instrument Eth = new(Exchange.Kraken, "ETH-USD", "ETH/USD", "ETH", "USD", 2, 8);
    private static readonly UnixMicros Landing = new(1_800_000_000_000_000);

    private static Trade Make(long id, long time) =>
        new(Eth, TradeId.FromNumber(id), 3_000m + id, 0.25m, id % 2 == 0 ? TradeSide.Buy : TradeSide.Sell, new UnixMicros(time), new UnixMicros(time + 5));

    private static StoredTrade Stored(Trade trade, UnixMicros ingest) => new(
        "kraken", "ETH-USD", "ETH/USD", trade.TradeId.ToString(), trade.Price, trade.Quantity, trade.Side, trade.ExchangeTime, trade.ReceiptTime, ingest);

    private static LatestTradesWindow Complete(params Trade[] landed)
    {
        var window = new LatestTradesWindow();
        window.CompleteAfter(new UnixMicros(0));
        window.MayMissTrades(false);
        foreach (var trade in landed)
        {
            window.Add(trade);
            window.Landed(trade, Landing);
        }

        return window;
    }

    [Fact]
    public void Serves_the_newest_landed_trades_newest_first_in_serving_order()
    {
        // Ids 9 and 10 share a time: by (length, text) 9 comes first. 12 arrives late, older than 11.
        var trades = new[] { Make(8, 100), Make(10, 200), Make(9, 200), Make(11, 300), Make(12, 250) };
        var window = Complete(trades);

        window.TryGetLatest(4).ShouldBe([Stored(trades[3], Landing), Stored(trades[4], Landing), Stored(trades[1], Landing), Stored(trades[2], Landing)]);
        window.TryGetLatest(5)!.Select(t => t.TradeId).ShouldBe(["11", "12", "10", "9", "8"]);
    }

    [Fact]
    public void Trades_not_landed_yet_are_left_out_as_the_store_does_not_have_them_either()
    {
        var window = Complete(Make(1, 100), Make(2, 200));
        window.Add(Make(3, 300));
        window.Add(Make(4, 150));

        window.TryGetLatest(2)!.Select(t => t.TradeId).ShouldBe(["2", "1"]);
        window.TryGetLatest(3).ShouldBeNull("only two have landed: older stored trades may exist");
        window.Landed(Make(4, 150), new UnixMicros(Landing.Value + 9));
        window.TryGetLatest(3).ShouldBe([Stored(Make(2, 200), Landing), Stored(Make(4, 150), new UnixMicros(Landing.Value + 9)), Stored(Make(1, 100), Landing)]);
    }

    [Fact]
    public void Answers_only_above_the_newest_trade_stored_before_activation_and_while_nothing_may_be_missing()
    {
        var window = new LatestTradesWindow();
        window.Add(Make(5, 500));
        window.Landed(Make(5, 500), Landing);
        window.MayMissTrades(false);
        window.TryGetLatest(1).ShouldBeNull("completeness not known yet");

        window.CompleteAfter(new UnixMicros(500));
        window.TryGetLatest(1).ShouldBeNull("a trade stored before activation may share time 500");
        window.CompleteAfter(new UnixMicros(499));
        window.TryGetLatest(1)!.Single().TradeId.ShouldBe("5");

        window.MayMissTrades(true);
        window.TryGetLatest(1).ShouldBeNull("a gap or catch-up is open");
    }

    [Fact]
    public void Every_change_takes_a_version_no_window_had_and_an_answer_carries_the_version_it_belongs_to()
    {
        var window = Complete(Make(1, 100));
        var other = Complete(Make(1, 100));
        var seen = new HashSet<long> { other.Version };
        void Changed(string what) => seen.Add(window.Version).ShouldBeTrue($"{what} takes a new version");

        Changed("the setup");
        window.TryGetLatest(1, out var answered)!.Single().TradeId.ShouldBe("1");
        answered.ShouldBe(window.Version);
        window.TryGetLatest(1);
        window.Version.ShouldBe(answered, "reading changes nothing");
        window.Add(Make(2, 200));
        Changed("a trade handed over");
        window.Landed(Make(2, 200), Landing);
        Changed("a trade landed");
        window.Remove(Make(2, 200).TradeId);
        Changed("a hand-over given up");
        window.MayMissTrades(true);
        Changed("a gap opened");
        window.TryGetLatest(1, out var refused).ShouldBeNull();
        refused.ShouldBe(window.Version);
        window.CompleteAfter(new UnixMicros(50));
        Changed("a new completeness point");
    }

    [Fact]
    public void A_full_window_keeps_a_page_of_the_newest_and_a_hand_over_given_up_is_gone()
    {
        var window = Complete();
        var count = LatestTradesWindow.PageMax + (LatestTradesWindow.PageMax / 10) + 1;
        for (var id = 1; id <= count; id++)
        {
            window.Add(Make(id, id * 10));
            window.Landed(Make(id, id * 10), Landing);
        }

        var page = window.TryGetLatest(LatestTradesWindow.PageMax).ShouldNotBeNull();
        page.Count.ShouldBe(LatestTradesWindow.PageMax);
        page[^1].TradeId.ShouldBe((count - LatestTradesWindow.PageMax + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        window.TryGetLatest(LatestTradesWindow.PageMax + 1).ShouldBeNull("deeper than a JSON page");
        window.Add(Make(0, 1_000_000_000));
        window.Remove(TradeId.FromNumber(0));
        window.TryGetLatest(1)!.Single().TradeId.ShouldBe(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_trade_stored_by_another_writer_joins_the_window_as_it_lands()
    {
        // An operator's requested backfill writes trade 7 (time 250) straight to the silver writer, not through the grain.
        var window = Complete(Make(1, 100), Make(2, 200), Make(3, 300));
        window.Landed(Make(7, 250), Landing);

        window.TryGetLatest(4)!.Select(t => t.TradeId).ShouldBe(["3", "7", "2", "1"]);
        window.TryGetLatest(2).ShouldBe([Stored(Make(3, 300), Landing), Stored(Make(7, 250), Landing)]);
    }

    [Fact]
    public void A_page_holding_a_trade_landed_with_an_unknown_ingest_time_is_not_served()
    {
        var window = Complete(Make(1, 100), Make(2, 200));
        window.Add(Make(3, 300));
        window.Landed(Make(3, 300), null);

        window.TryGetLatest(1).ShouldBeNull("the store has trade 3 with a time only the store knows");
        window.TryGetLatest(2).ShouldBeNull();
        window.Add(Make(4, 400));
        window.Add(Make(5, 500));
        window.Landed(Make(4, 400), Landing);
        window.Landed(Make(5, 500), Landing);
        window.TryGetLatest(2)!.Select(t => t.TradeId).ShouldBe(["5", "4"]);
    }
}
