using K2.Core;
using K2.Core.Trades;
using K2.Storage.Tests.Support;
using K2.Storage.Trades;
using K2.Testing;

namespace K2.Storage.Tests.Trades;

public sealed class TradeQueriesTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly UnixMicros Ingested = new(TradeRows.Day.Value + 3_600_000_000);

    /// <summary>Half an hour after the last sample trades; reads look back from here.</summary>
    private readonly ManualTimeProvider _clock = new(TradeRows.Day.ToDateTimeOffset().AddHours(2));

    private async Task<(HotStoreOptions Store, TradeQueries Queries)> DatabaseAsync(params Trade[] trades)
    {
        var store = await fixture.CreateDatabaseAsync(Ct);
        await TradeRows.StopMergesAsync(fixture.ClickHouse, store.Database, Ct);
        if (trades.Length > 0)
        {
            await TradeRows.InsertAsync(fixture.ClickHouse, store.Database, trades, Ingested, Ct);
        }

        return (store, new TradeQueries(fixture.ClickHouse, store, _clock));
    }

    [Fact]
    public async Task The_newest_trades_of_one_instrument_come_newest_first()
    {
        // Inserted out of order, with the same canonical symbol on two exchanges and another symbol on the same one.
        var kraken = new[] { 3, 1, 5, 2, 4 }.Select(i => TradeRows.Make(TradeRows.KrakenBtc, i, 60_000m + i, exchangeOffsetMicros: i * 1_000_000L)).ToArray();
        var coinbase = Enumerable.Range(1, 5).Select(i => TradeRows.Make(TradeRows.CoinbaseBtc, 100 + i, 70_000m, exchangeOffsetMicros: 10_000_000L + i)).ToArray();
        var binance = TradeRows.Make(TradeRows.BinanceEth, 7, 3_000m, exchangeOffsetMicros: 99_000_000);
        var (_, queries) = await DatabaseAsync([.. kraken, .. coinbase, binance]);

        var latest = await queries.GetLatestAsync(Exchange.Kraken, "BTC-USD", 3, Ct);

        latest.Select(t => t.TradeId).ShouldBe(["5", "4", "3"]);
        latest.ShouldAllBe(t => t.Exchange == "kraken" && t.Symbol == "BTC-USD" && t.RawSymbol == "BTC/USD");
        latest[0].ShouldBe(TradeRows.Expected(kraken[2], Ingested));
    }

    [Fact]
    public async Task A_limit_beyond_the_stored_count_returns_everything_stored()
    {
        var trades = Enumerable.Range(1, 4).Select(i => TradeRows.Make(TradeRows.BinanceBtc, i, 87_000m, exchangeOffsetMicros: i)).ToArray();
        var (_, queries) = await DatabaseAsync(trades);

        var latest = await queries.GetLatestAsync(Exchange.Binance, "BTC-USDT", 1_000, Ct);

        latest.ShouldBe(trades.Reverse().Select(t => TradeRows.Expected(t, Ingested)));
    }

    [Theory]
    [InlineData("0.00000001", "0.00000001")]
    [InlineData("87012.34", "87012.34000000")]
    [InlineData("4.00000100", "4.00000100")]
    [InlineData("9999999999.99999999", "9999999999.99999999")]
    [InlineData("1234567890.12345678", "1234567890.12345678")]
    public async Task Prices_and_quantities_come_back_exactly(string text, string stored)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var (_, queries) = await DatabaseAsync(TradeRows.Make(TradeRows.BinanceBtc, 1, value, quantity: value, side: TradeSide.Sell));

        var trade = (await queries.GetLatestAsync(Exchange.Binance, "BTC-USDT", 1, Ct)).ShouldHaveSingleItem();

        trade.Price.ShouldBe(value);
        trade.Quantity.ShouldBe(value);
        trade.Price.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe(stored);
        trade.Side.ShouldBe(TradeSide.Sell);
    }

    [Fact]
    public async Task A_trade_stored_twice_is_returned_once()
    {
        var trade = TradeRows.Make(TradeRows.BinanceBtc, 42, 87_012.34m);
        var other = TradeRows.Make(TradeRows.BinanceBtc, 41, 87_012.33m, exchangeOffsetMicros: -1);
        var (store, queries) = await DatabaseAsync(trade, other);
        await TradeRows.InsertAsync(fixture.ClickHouse, store.Database, [trade], new UnixMicros(Ingested.Value + 1), Ct);
        (await TradeRows.ReadAllAsync(fixture.ClickHouse, store.Database, Ct)).Count.ShouldBe(3); // the duplicate is stored

        var latest = await queries.GetLatestAsync(Exchange.Binance, "BTC-USDT", 10, Ct);

        latest.Select(t => t.TradeId).ShouldBe(["42", "41"]);
    }

    [Fact]
    public async Task The_same_trade_id_arriving_with_different_timestamps_is_returned_once()
    {
        // A trade can arrive over the WebSocket in microseconds and over REST in milliseconds: same id, other time.
        var fromSocket = TradeRows.Make(TradeRows.BinanceBtc, 42, 87_012.34m, exchangeOffsetMicros: 123_456);
        var fromRest = fromSocket with { ExchangeTime = new UnixMicros(TradeRows.Day.Value + 123_000) };
        var (store, queries) = await DatabaseAsync(fromSocket);
        await TradeRows.InsertAsync(fixture.ClickHouse, store.Database, [fromRest], new UnixMicros(Ingested.Value + 1), Ct);

        var latest = await queries.GetLatestAsync(Exchange.Binance, "BTC-USDT", 10, Ct);

        latest.ShouldHaveSingleItem().ExchangeTime.ShouldBe(fromRest.ExchangeTime, "the latest write wins");
    }

    [Fact]
    public async Task Newest_first_reads_reach_past_the_first_look_back_window_when_it_holds_too_few()
    {
        // Two trades in the last hour, two a day ago, one a week ago: asking for four must cross windows exactly.
        var now = UnixMicros.FromDateTimeOffset(_clock.GetUtcNow()).Value;
        long Ago(TimeSpan span) => now - (span.Ticks / TimeSpan.TicksPerMicrosecond) - TradeRows.Day.Value;
        var trades = new[]
        {
            TradeRows.Make(TradeRows.BinanceBtc, 1, 1m, exchangeOffsetMicros: Ago(TimeSpan.FromDays(7))),
            TradeRows.Make(TradeRows.BinanceBtc, 2, 2m, exchangeOffsetMicros: Ago(TimeSpan.FromHours(23))),
            TradeRows.Make(TradeRows.BinanceBtc, 3, 3m, exchangeOffsetMicros: Ago(TimeSpan.FromHours(22))),
            TradeRows.Make(TradeRows.BinanceBtc, 4, 4m, exchangeOffsetMicros: Ago(TimeSpan.FromMinutes(40))),
            TradeRows.Make(TradeRows.BinanceBtc, 5, 5m, exchangeOffsetMicros: Ago(TimeSpan.FromMinutes(1))),
        };
        var (_, queries) = await DatabaseAsync(trades);

        (await queries.GetLatestAsync(Exchange.Binance, "BTC-USDT", 2, Ct)).Select(t => t.TradeId).ShouldBe(["5", "4"]);
        (await queries.GetLatestAsync(Exchange.Binance, "BTC-USDT", 4, Ct)).Select(t => t.TradeId).ShouldBe(["5", "4", "3", "2"]);
        (await queries.GetLatestAsync(Exchange.Binance, "BTC-USDT", 9, Ct)).Select(t => t.TradeId).ShouldBe(["5", "4", "3", "2", "1"]);
    }

    [Fact]
    public async Task Holes_in_stored_ids_are_found_with_the_times_around_them_and_duplicates_make_none()
    {
        var ids = new long[] { 1, 2, 3, 7, 8, 10, 10, 99, 100 };
        var trades = ids.Select(id => TradeRows.Make(TradeRows.BinanceBtc, id, 1m, exchangeOffsetMicros: id * 10)).ToArray();
        var other = TradeRows.Make(TradeRows.BinanceEth, 5, 1m, exchangeOffsetMicros: 50);
        var (_, queries) = await DatabaseAsync([.. trades, other]);

        var gaps = await queries.FindIdGapsAsync(Exchange.Binance, "BTC-USDT", TradeRows.Day, 100, Ct);

        gaps.ShouldBe(
        [
            new TradeGap(4, 6, new UnixMicros(TradeRows.Day.Value + 30), new UnixMicros(TradeRows.Day.Value + 70)),
            new TradeGap(9, 9, new UnixMicros(TradeRows.Day.Value + 80), new UnixMicros(TradeRows.Day.Value + 100)),
            new TradeGap(11, 98, new UnixMicros(TradeRows.Day.Value + 100), new UnixMicros(TradeRows.Day.Value + 990)),
        ]);
        (await queries.FindIdGapsAsync(Exchange.Binance, "BTC-USDT", TradeRows.Day, 1, Ct)).Count.ShouldBe(1, "bounded by maxGaps");
        (await queries.FindIdGapsAsync(Exchange.Binance, "BTC-USDT", new UnixMicros(TradeRows.Day.Value + 75), 100, Ct))
            .Select(g => g.FromId).ShouldBe([9L, 11L], "only trades since the given time are looked at");
    }

    [Fact]
    public async Task Trades_at_the_same_instant_come_newest_id_first_even_across_digit_counts()
    {
        // Binance stamps trades in milliseconds, so several share a time; ids are the order within it.
        var trades = new[] { 9, 10, 99, 100, 101 }.Select(i => TradeRows.Make(TradeRows.BinanceBtc, i, 87_000m)).ToArray();
        var (_, queries) = await DatabaseAsync(trades);

        var latest = await queries.GetLatestAsync(Exchange.Binance, "BTC-USDT", 5, Ct);

        latest.Select(t => t.TradeId).ShouldBe(["101", "100", "99", "10", "9"]);
    }

    [Fact]
    public async Task Text_trade_ids_round_trip_verbatim()
    {
        var trade = TradeRows.Make(TradeRows.CoinbaseBtc, 1, 70_000m) with { TradeId = TradeId.FromText("0042-b7a3c2d1") };
        var (_, queries) = await DatabaseAsync(trade);

        var latest = await queries.GetLatestAsync(Exchange.Coinbase, "BTC-USD", 1, Ct);

        latest.ShouldHaveSingleItem().TradeId.ShouldBe("0042-b7a3c2d1");
    }

    [Theory]
    [InlineData(Exchange.Binance, "BTC-USD")]
    [InlineData(Exchange.Coinbase, "BTC-USDT")]
    [InlineData(Exchange.Binance, "btc-usdt")]
    [InlineData(Exchange.Binance, "BTC-USDT' OR '1'='1")]
    public async Task Other_instruments_and_hostile_symbols_return_nothing(Exchange exchange, string symbol)
    {
        var (_, queries) = await DatabaseAsync(TradeRows.Make(TradeRows.BinanceBtc, 1, 87_000m), TradeRows.Make(TradeRows.KrakenBtc, 2, 87_000m));

        (await queries.GetLatestAsync(exchange, symbol, 10, Ct)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_limit_below_one_is_refused(int limit)
    {
        var queries = new TradeQueries(new RecordingClickHouseClient(), new HotStoreOptions(), _clock);

        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => queries.GetLatestAsync(Exchange.Binance, "BTC-USDT", limit, Ct));
    }
}
