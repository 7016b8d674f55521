using K2.Core;
using K2.Core.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Tests.Support;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Metadata;

/// <summary>The cold schemas against the hot tables they come from, on the real engine.</summary>
public sealed class ColdTablesTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void There_are_ten_tables_in_the_cold_namespace_bronze_then_silver_then_gold()
    {
        ColdTables.All.Select(t => $"{t.Namespace}.{t.Name}").ShouldBe(
        [
            "cold.bronze_trades_binance", "cold.bronze_trades_kraken", "cold.bronze_trades_coinbase", "cold.silver_trades",
            "cold.gold_ohlcv_1m", "cold.gold_ohlcv_5m", "cold.gold_ohlcv_15m", "cold.gold_ohlcv_30m", "cold.gold_ohlcv_1h", "cold.gold_ohlcv_1d",
        ]);
        ColdTables.GoldOhlcv(Timeframe.OneHour).HotFilter.ShouldBe("timeframe = '1h'");
        ColdTables.GoldOhlcv(Timeframe.OneHour).IngestTimeColumn.ShouldBe("updated_at");
        ColdTables.SilverTrades.IngestTimeColumn.ShouldBe("ingest_ts");
    }

    [Fact]
    public async Task Each_cold_table_has_its_hot_tables_columns_in_order_with_their_exact_types()
    {
        var store = await fixture.CreateDatabaseAsync(Ct);

        foreach (var table in ColdTables.All)
        {
            var hot = await fixture.ClickHouse.QueryRawTextAsync(
                "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String} AND name != 'timeframe' ORDER BY position",
                Ct, new ClickHouseParameters().Add("db", store.Database).Add("t", table.HotTable));

            string.Join('\n', table.Columns.Select(c => $"{c.Name}\t{c.ClickHouseType}")).ShouldBe(hot, table.Name);
            table.Columns.Select(c => c.Field.Id).ShouldBe(Enumerable.Range(1, table.Columns.Count), table.Name);
        }
    }

    [Fact]
    public void Types_map_as_the_cold_tier_defines_and_nullable_columns_are_optional()
    {
        var bronze = ColdTables.BronzeTrades(Exchange.Coinbase).Schema;

        bronze.Field("receipt_ts").ShouldBe(new SchemaField(1, "receipt_ts", true, PrimitiveType.Timestamptz));
        bronze.Field("source").ShouldBe(new SchemaField(2, "source", true, PrimitiveType.String));
        bronze.Field("frame_seq").Type.ShouldBe(PrimitiveType.Long);
        bronze.Field("trade_index").Type.ShouldBe(PrimitiveType.Int);
        bronze.Field("price").ShouldBe(new SchemaField(9, "price", false, new DecimalType(18, 8)));
        bronze.Field("side").ShouldBe(new SchemaField(11, "side", false, PrimitiveType.String));
        bronze.Field("exchange_ts").ShouldBe(new SchemaField(12, "exchange_ts", false, PrimitiveType.Timestamptz));
        bronze.Field("validation_errors").Type.ShouldBe(new ListType(17, true, PrimitiveType.String));
        bronze.HighestFieldId.ShouldBe(17);
        ColdTables.GoldOhlcv(Timeframe.OneDay).Schema.Field("quote_volume").Type.ShouldBe(new DecimalType(38, 16));
        Should.Throw<ArgumentException>(() =>
        {
            var next = 2;
            return ClickHouseTypeMapping.ToField(1, "u", "UInt64", ref next);
        }).Message.ShouldContain("'UInt64'");
    }

    [Fact]
    public void Partitions_are_by_day_of_exchange_time_receipt_time_for_bronze_and_bucket_start_for_candles()
    {
        ColdTables.SilverTrades.PartitionSpec.Fields.ShouldBe([new PartitionField(8, 1000, "exchange_ts_day", "day")]);
        ColdTables.BronzeTrades(Exchange.Binance).PartitionSpec.Fields.ShouldBe([new PartitionField(1, 1000, "receipt_ts_day", "day")]);
        ColdTables.GoldOhlcv(Timeframe.OneMinute).PartitionSpec.Fields.ShouldBe([new PartitionField(3, 1000, "bucket_start_day", "day")]);
    }

    [Fact]
    public async Task The_select_list_exports_Parquet_whose_column_paths_are_exactly_the_mapped_ones()
    {
        var store = await fixture.CreateDatabaseAsync(Ct);
        using var directory = new TempDirectory("k2-cold-export");
        var bronze = ColdTables.BronzeTrades(Exchange.Kraken);
        await fixture.ClickHouse.ExecuteAsync(
            $"INSERT INTO {store.Database}.bronze_trades_kraken (receipt_ts, source, connection_id, frame_seq, trade_index, raw_symbol, symbol, trade_id, " +
            "side, raw_frame, reject_reason, validation_errors, ingest_ts) VALUES (now64(6), 'rest', 'c', 1, 0, 'XBT/USD', 'BTC-USD', '1', 'sell', '{}', '', ['bad price'], now64(6))",
            null, Ct);
        var file = Path.Combine(directory.Path, "bronze.parquet");

        await fixture.ClickHouse.ExecuteAsync(
            $"INSERT INTO FUNCTION file('{file}', 'Parquet') SELECT {bronze.SelectList} FROM {store.Database}.{bronze.HotTable}", null, Ct);
        var paths = await fixture.ClickHouse.QueryRawTextAsync(
            $"SELECT arrayJoin(columns).path FROM file('{file}', ParquetMetadata)", Ct);
        var side = await fixture.ClickHouse.QueryRawTextAsync($"SELECT side, validation_errors FROM file('{file}', Parquet)", Ct);

        paths.Split('\n').ShouldBe(bronze.ParquetFieldIds.Keys.Where(p => p != "validation_errors"), ignoreOrder: true);
        side.ShouldBe("sell\t['bad price']");
    }
}
