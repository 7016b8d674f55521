using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Schema;
using K2.Storage.Tests.Support;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Schema;

public sealed class HotStoreMigratorTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset MigratedAt = new(2026, 11, 22, 10, 15, 0, TimeSpan.Zero);

    private static string NewDatabaseName() => $"migrate_{Guid.NewGuid():N}";

    private static HotStoreMigrator Migrator(IClickHouseClient client, string database) =>
        new(client, new HotStoreOptions { Database = database }, new ManualTimeProvider(MigratedAt), NullLogger<HotStoreMigrator>.Instance);

    private Task<string> TextAsync(string sql, string database) =>
        fixture.ClickHouse.QueryRawTextAsync(sql, Ct, new ClickHouseParameters().Add("db", database));

    [Fact]
    public async Task The_first_run_creates_the_database_and_silver_trades_with_the_storage_types()
    {
        var db = NewDatabaseName();

        var applied = await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        applied.ShouldBe(HotStoreMigrations.All.Count);
        (await TextAsync("SELECT count() FROM system.databases WHERE name = {db:String}", db)).ShouldBe("1");
        (await TextAsync("SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'silver_trades' ORDER BY position", db))
            .Split('\n').ShouldBe(
            [
                "exchange\tLowCardinality(String)",
                "symbol\tLowCardinality(String)",
                "raw_symbol\tLowCardinality(String)",
                "trade_id\tString",
                "price\tDecimal(18, 8)",
                "quantity\tDecimal(18, 8)",
                "side\tEnum8('buy' = 1, 'sell' = 2)",
                "exchange_ts\tDateTime64(6, 'UTC')",
                "receipt_ts\tDateTime64(6, 'UTC')",
                "ingest_ts\tDateTime64(6, 'UTC')",
            ]);
    }

    [Fact]
    public async Task Silver_trades_deduplicates_by_instrument_and_trade_id_and_partitions_by_day()
    {
        var db = NewDatabaseName();

        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        // The sorting key is the replacing key: (exchange, symbol, trade_id) exactly, with the latest ingest winning.
        (await TextAsync("SELECT engine, sorting_key, partition_key, engine_full LIKE '%ReplacingMergeTree(ingest_ts)%' FROM system.tables WHERE database = {db:String} AND name = 'silver_trades'", db))
            .ShouldBe("ReplacingMergeTree\texchange, symbol, trade_id\ttoYYYYMMDD(exchange_ts)\t1");
    }

    [Fact]
    public async Task Silver_trades_keep_a_row_30_days_after_its_ingest_however_old_its_exchange_time()
    {
        var db = NewDatabaseName();
        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        // Both traded 40 days ago: trade 1 was just ingested (a requested backfill), trade 2 was ingested back then.
        await fixture.ClickHouse.ExecuteAsync($$"""
            INSERT INTO {{db}}.silver_trades (exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts)
            SELECT 'kraken', 'BTC-USD', 'XBT/USD', toString(number + 1), 1, 1, 'buy', old, old, if(number = 0, now64(6), old)
            FROM numbers(2) ARRAY JOIN [now64(6) - INTERVAL 40 DAY] AS old
            """, null, Ct);
        await fixture.ClickHouse.ExecuteAsync($"OPTIMIZE TABLE {db}.silver_trades FINAL", null, Ct);

        (await TextAsync($"SELECT trade_id FROM {db}.silver_trades ORDER BY trade_id", db)).ShouldBe("1");
        (await TextAsync("SELECT engine_full LIKE '%TTL toDateTime(greatest(exchange_ts, ingest_ts)) + toIntervalDay(30)%' FROM system.tables WHERE database = {db:String} AND name = 'silver_trades'", db))
            .ShouldBe("1");
    }

    [Fact]
    public async Task Ohlcv_keeps_a_candle_30_days_after_it_was_written_however_old_its_bucket()
    {
        var db = NewDatabaseName();
        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        // Both buckets began 40 days ago: BTC-USD's candle was just written (a requested backfill), ETH-USD's back then.
        await fixture.ClickHouse.ExecuteAsync($$"""
            INSERT INTO {{db}}.ohlcv (exchange, symbol, timeframe, bucket_start, open, high, low, close,
                volume, quote_volume, buy_volume, sell_volume, trade_count, vwap, version, updated_at)
            SELECT 'kraken', if(number = 0, 'BTC-USD', 'ETH-USD'), '1m', old, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, if(number = 0, now64(6), old)
            FROM numbers(2) ARRAY JOIN [toStartOfMinute(now64(6) - INTERVAL 40 DAY)] AS old
            """, null, Ct);
        await fixture.ClickHouse.ExecuteAsync($"OPTIMIZE TABLE {db}.ohlcv FINAL", null, Ct);

        (await TextAsync($"SELECT symbol FROM {db}.ohlcv ORDER BY symbol", db)).ShouldBe("BTC-USD");
        (await TextAsync("SELECT engine_full LIKE '%TTL toDateTime(greatest(bucket_start, updated_at)) + toIntervalDay(30)%' FROM system.tables WHERE database = {db:String} AND name = 'ohlcv'", db))
            .ShouldBe("1");
    }

    [Fact]
    public async Task Ohlcv_keeps_the_highest_version_per_bucket_with_signed_iceberg_friendly_types()
    {
        var db = NewDatabaseName();

        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        (await TextAsync("SELECT engine, sorting_key, partition_key, engine_full LIKE '%ReplacingMergeTree(version)%TTL%' FROM system.tables WHERE database = {db:String} AND name = 'ohlcv'", db))
            .ShouldBe("ReplacingMergeTree\texchange, symbol, timeframe, bucket_start\ttoYYYYMMDD(bucket_start)\t1");
        (await TextAsync("SELECT type FROM system.columns WHERE database = {db:String} AND table = 'ohlcv' AND name IN ('trade_count', 'version', 'volume', 'quote_volume', 'vwap') ORDER BY position", db))
            .Split('\n').ShouldBe(["Decimal(38, 8)", "Decimal(38, 16)", "Int64", "Decimal(38, 16)", "Int64"]);
    }

    [Fact]
    public async Task Bronze_tables_exist_for_every_exchange_with_nullable_typed_fields_and_the_raw_frame()
    {
        var db = NewDatabaseName();

        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        (await TextAsync("SELECT name FROM system.tables WHERE database = {db:String} AND name LIKE 'bronze_trades_%' ORDER BY name", db))
            .ShouldBe("bronze_trades_binance\nbronze_trades_coinbase\nbronze_trades_kraken");
        (await TextAsync("SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'bronze_trades_kraken' ORDER BY position", db))
            .Split('\n').ShouldBe(
            [
                "receipt_ts\tDateTime64(6, 'UTC')",
                "source\tEnum8('websocket' = 1, 'rest' = 2)",
                "connection_id\tString",
                "frame_seq\tInt64",
                "trade_index\tInt32",
                "raw_symbol\tString",
                "symbol\tLowCardinality(String)",
                "trade_id\tString",
                "price\tNullable(Decimal(18, 8))",
                "quantity\tNullable(Decimal(18, 8))",
                "side\tNullable(Enum8('buy' = 1, 'sell' = 2))",
                "exchange_ts\tNullable(DateTime64(6, 'UTC'))",
                "raw_frame\tString",
                "reject_reason\tLowCardinality(String)",
                "validation_errors\tArray(String)",
                "ingest_ts\tDateTime64(6, 'UTC')",
            ]);
    }

    [Fact]
    public async Task Each_applied_version_is_recorded_once_with_its_name_and_time()
    {
        var db = NewDatabaseName();

        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        (await TextAsync($"SELECT version, name, toString(applied_at) FROM {db}.schema_migrations ORDER BY version", db))
            .ShouldBe("1\tsilver_trades\t2026-11-22 10:15:00.000000\n2\tbronze_trades\t2026-11-22 10:15:00.000000\n3\tohlcv\t2026-11-22 10:15:00.000000\n" +
                "4\tingest_time_indexes\t2026-11-22 10:15:00.000000\n5\tbronze_insert_deduplication\t2026-11-22 10:15:00.000000\n" +
                "6\tsilver_trades_ttl_after_ingest\t2026-11-22 10:15:00.000000\n7\tohlcv_ttl_after_update\t2026-11-22 10:15:00.000000");
    }

    [Fact]
    public async Task Bronze_tables_keep_a_deduplication_window_and_the_replacing_tables_need_none()
    {
        var db = NewDatabaseName();

        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        (await TextAsync(
            $"SELECT name, extract(engine_full, 'non_replicated_deduplication_window = (\\d+)') FROM system.tables " +
            $"WHERE database = '{db}' AND name != 'schema_migrations' ORDER BY name", db)).ShouldBe(
            "bronze_trades_binance\t10000\nbronze_trades_coinbase\t10000\nbronze_trades_kraken\t10000\nohlcv\t\nsilver_trades\t");
    }

    [Fact]
    public async Task Every_table_an_offload_slices_by_ingest_time_has_a_minmax_index_on_that_column()
    {
        var db = NewDatabaseName();

        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        (await TextAsync($"SELECT table, expr, type FROM system.data_skipping_indices WHERE database = '{db}' AND expr IN ('ingest_ts', 'updated_at') ORDER BY table", db)).ShouldBe(
            "bronze_trades_binance\tingest_ts\tminmax\nbronze_trades_coinbase\tingest_ts\tminmax\nbronze_trades_kraken\tingest_ts\tminmax\n" +
            "ohlcv\tupdated_at\tminmax\nsilver_trades\tingest_ts\tminmax");
    }

    [Fact]
    public async Task A_second_run_applies_nothing_and_records_nothing()
    {
        var db = NewDatabaseName();
        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);
        var recording = new RecordingClickHouseClient(fixture.ClickHouse);

        var applied = await Migrator(recording, db).MigrateAsync(Ct);

        applied.ShouldBe(0);
        recording.Statements.ShouldNotContain(s => s.Contains("INSERT", StringComparison.Ordinal));
        recording.Statements.ShouldNotContain(s => s.Contains("silver_trades", StringComparison.Ordinal));
        (await TextAsync($"SELECT count(), uniqExact(version) FROM {db}.schema_migrations", db)).ShouldBe($"{HotStoreMigrations.All.Count}\t{HotStoreMigrations.All.Count}");
    }

    [Fact]
    public async Task A_run_after_a_version_was_lost_reapplies_only_that_version_idempotently()
    {
        var db = NewDatabaseName();
        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);
        await fixture.ClickHouse.ExecuteAsync($"TRUNCATE TABLE {db}.schema_migrations", null, Ct);
        await TradeRows.InsertAsync(fixture.ClickHouse, db, [TradeRows.Make(TradeRows.BinanceBtc, 1, 87_012.34m)], TradeRows.Day, Ct);

        var applied = await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        // CREATE TABLE IF NOT EXISTS keeps the existing tables and their rows.
        applied.ShouldBe(HotStoreMigrations.All.Count);
        (await TextAsync($"SELECT count() FROM {db}.silver_trades", db)).ShouldBe("1");
        (await TextAsync($"SELECT count() FROM {db}.schema_migrations", db)).ShouldBe($"{HotStoreMigrations.All.Count}");
    }

    [Fact]
    public async Task The_versions_query_is_read_as_RowBinary_UInt32()
    {
        var db = NewDatabaseName();
        await Migrator(fixture.ClickHouse, db).MigrateAsync(Ct);

        var versions = await fixture.ClickHouse.QueryAsync(
            $"SELECT version FROM {db}.schema_migrations ORDER BY version", null, ClickHouseFormats.RowBinary,
            static data =>
            {
                var reader = new RowBinaryReader(data);
                var list = new List<uint>();
                while (!reader.End)
                {
                    list.Add(reader.ReadUInt32());
                }

                return list;
            },
            Ct);

        versions.ShouldBe(HotStoreMigrations.All.Select(m => (uint)m.Version));
    }

    [Theory]
    [InlineData("")]
    [InlineData("K2")]
    [InlineData("k2-hot")]
    [InlineData("1k2")]
    [InlineData("k2;DROP DATABASE system")]
    [InlineData("k2 hot")]
    [InlineData("k2.silver")]
    [InlineData("k2`")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")] // 64 characters
    public async Task An_invalid_database_name_is_refused_before_any_statement(string database)
    {
        var recording = new RecordingClickHouseClient();

        var error = await Should.ThrowAsync<InvalidOperationException>(() => Migrator(recording, database).MigrateAsync(Ct));

        error.Message.ShouldContain("not a valid database name");
        recording.Statements.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("k2")]
    [InlineData("_k2")]
    [InlineData("k2_hot_2026")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")] // 63 characters
    public void Valid_database_names_are_lower_case_identifiers(string database)
    {
        HotStoreOptions.IsValidDatabaseName(database).ShouldBeTrue();
    }

    [Fact]
    public void Migration_versions_are_unique_and_ascending()
    {
        HotStoreMigrations.All.Select(m => m.Version).ShouldBe(Enumerable.Range(1, HotStoreMigrations.All.Count));
    }
}
