using K2.Core;
using K2.Core.Trades;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Tests.ClickHouse.RowBinary;
using K2.Storage.Tests.Support;
using K2.Storage.Trades;
using K2.Testing;

namespace K2.Storage.Tests.Trades;

public sealed class SilverTradesTableTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_encoded_columns_are_the_columns_of_the_migrated_table_in_order()
    {
        var db = (await fixture.CreateDatabaseAsync(Ct)).Database;

        var columns = await fixture.ClickHouse.QueryTextAsync(
            "SELECT name FROM system.columns WHERE database = {db:String} AND table = 'silver_trades' ORDER BY position", Ct,
            new K2.Storage.ClickHouse.ClickHouseParameters().Add("db", db));

        new SilverTradesTable().Columns.ShouldBe(columns.Split('\n'));
    }

    [Fact]
    public void A_trade_encodes_field_by_field_in_column_order()
    {
        var trade = new Trade(
            TradeRows.KrakenBtc, TradeId.FromNumber(5_372_812_345), 87_012.34m, 0.00125m, TradeSide.Sell,
            new UnixMicros(1_795_342_500_123_456), new UnixMicros(1_795_342_500_124_000));

        var bytes = RowBinaryCodec.Encode(w => new SilverTradesTable().Write(w, trade, new UnixMicros(1_795_342_501_000_000)));

        var reader = new RowBinaryReader(bytes);
        reader.ReadString().ShouldBe("kraken");
        reader.ReadString().ShouldBe("BTC-USD");
        reader.ReadString().ShouldBe("BTC/USD");
        reader.ReadString().ShouldBe("5372812345");
        reader.ReadInt64().ShouldBe(8_701_234_000_000); // Decimal(18, 8): value times 10^8
        reader.ReadInt64().ShouldBe(125_000);
        reader.ReadEnum8().ShouldBe((sbyte)2); // 'sell'
        reader.ReadInt64().ShouldBe(1_795_342_500_123_456);
        reader.ReadInt64().ShouldBe(1_795_342_500_124_000);
        reader.ReadInt64().ShouldBe(1_795_342_501_000_000);
        reader.End.ShouldBeTrue();
    }

    [Fact]
    public void A_text_trade_id_longer_than_the_stack_buffer_is_still_written_whole()
    {
        var id = new string('z', 100);
        var trade = TradeRows.Make(TradeRows.CoinbaseBtc, 1, 1m) with { TradeId = TradeId.FromText(id) };

        var bytes = RowBinaryCodec.Encode(w => new SilverTradesTable().Write(w, trade, TradeRows.Day));

        var reader = new RowBinaryReader(bytes);
        reader.ReadString();
        reader.ReadString();
        reader.ReadString();
        reader.ReadString().ShouldBe(id);
    }

    [Fact]
    public void A_price_the_column_cannot_hold_is_refused()
    {
        var trade = TradeRows.Make(TradeRows.BinanceBtc, 1, 0.000000001m);

        Should.Throw<ArgumentOutOfRangeException>(() => RowBinaryCodec.Encode(w => new SilverTradesTable().Write(w, trade, TradeRows.Day)));
    }
}
