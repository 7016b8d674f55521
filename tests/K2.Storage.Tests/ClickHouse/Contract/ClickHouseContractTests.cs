using System.Globalization;
using System.Text;
using K2.Core;
using K2.Core.Trades;
using K2.Storage.Bronze;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using K2.Storage.Schema;
using K2.Storage.Tests.Support;
using K2.Storage.Trades;
using K2.Storage.Writers;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.ClickHouse.Contract;

/// <summary>
/// What every <see cref="IClickHouseClient"/> transport must do, run once per transport against the real engine:
/// the same SQL, the same parameters, the same errors, the same bytes back.
/// </summary>
public abstract class ClickHouseContractTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The transport under test.</summary>
    protected abstract IClickHouseClient Client { get; }

    /// <summary>
    /// Makes the next insert through <see cref="Client"/> take effect while its caller sees a failure, the way this
    /// transport can lose the answer to a committed insert.
    /// </summary>
    protected abstract void LoseNextInsertAnswer();

    /// <summary>A fresh database migrated through the transport under test.</summary>
    protected async Task<string> MigratedDatabaseAsync()
    {
        var database = $"contract_{Guid.NewGuid():N}";
        await new HotStoreMigrator(Client, new HotStoreOptions { Database = database }, TimeProvider.System, NullLogger<HotStoreMigrator>.Instance)
            .MigrateAsync(Ct);
        return database;
    }

    protected static List<Trade> SampleTrades(int count) =>
        [.. Enumerable.Range(1, count).Select(i => TradeRows.Make(
            i % 2 == 0 ? TradeRows.BinanceBtc : TradeRows.CoinbaseBtc,
            id: i,
            price: 87_012.34m + (i * 0.00000001m),
            quantity: i % 3 == 0 ? 9_999_999_999.99999999m : i / 1000m,
            side: i % 5 == 0 ? TradeSide.Sell : TradeSide.Buy,
            exchangeOffsetMicros: i * 1_000L))];

    /// <summary><paramref name="count"/> accepted bronze rows of one frame each, encoded as the bronze writer encodes them.</summary>
    protected static byte[] BronzeBatch(Exchange exchange, int count, UnixMicros ingestTime)
    {
        var table = new BronzeTradesTable(exchange);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new RowBinaryWriter(buffer);
        foreach (var (trade, frame) in SampleTrades(count).Select((t, i) => (t, (long)i)))
        {
            table.Write(writer, BronzeTrade.Accepted(trade, BronzeSource.WebSocket, "conn-1", frame, 0, Encoding.UTF8.GetBytes($"{{\"t\":{trade.TradeId}}}")), ingestTime);
        }

        return buffer.WrittenSpan.ToArray();
    }

    protected static List<StoredTrade> InStorageOrder(IEnumerable<Trade> trades, UnixMicros ingestTime) =>
        [.. trades.Select(t => TradeRows.Expected(t, ingestTime)).OrderBy(t => t.Exchange, StringComparer.Ordinal)
            .ThenBy(t => t.Symbol, StringComparer.Ordinal).ThenBy(t => long.Parse(t.TradeId, CultureInfo.InvariantCulture))];

    [Fact]
    public async Task Migrations_create_every_table_with_its_columns_and_record_each_version()
    {
        var db = await MigratedDatabaseAsync();
        var inDb = new ClickHouseParameters().Add("db", db);

        var tables = (await Client.QueryTextAsync("SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name", Ct, inDb)).Split('\n');
        var silverColumns = await Client.QueryRawTextAsync(
            "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'silver_trades' ORDER BY position", Ct, inDb);

        tables.ShouldContain("silver_trades");
        tables.ShouldContain("bronze_trades_binance");
        tables.ShouldContain("bronze_trades_kraken");
        tables.ShouldContain("bronze_trades_coinbase");
        tables.ShouldContain(HotStoreMigrations.MigrationsTable);
        silverColumns.Split('\n').ShouldBe(
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
        (await Client.QueryTextAsync($"SELECT count(), uniqExact(version) FROM {db}.{HotStoreMigrations.MigrationsTable}", Ct))
            .ShouldBe($"{HotStoreMigrations.All.Count}\t{HotStoreMigrations.All.Count}");
    }

    [Fact]
    public async Task Rows_inserted_as_RowBinary_read_back_exactly()
    {
        var db = await MigratedDatabaseAsync();
        var trades = SampleTrades(1_000);

        var written = await TradeRows.InsertAsync(Client, db, trades, TradeRows.Day, Ct);

        written.ShouldBe(1_000);
        (await TradeRows.ReadAllAsync(Client, db, Ct)).ShouldBe(InStorageOrder(trades, TradeRows.Day));
    }

    [Fact]
    public async Task A_rejected_insert_throws_and_writes_nothing()
    {
        var db = await MigratedDatabaseAsync();
        await Client.ExecuteAsync($"CREATE TABLE {db}.numbers (n UInt32) ENGINE = MergeTree ORDER BY n", null, Ct);

        await Should.ThrowAsync<ClickHouseException>(() => Client.InsertAsync($"INSERT INTO {db}.numbers (n)", "CSV", "1\nnot a number\n"u8.ToArray(), Ct));

        (await Client.QueryTextAsync($"SELECT count() FROM {db}.numbers", Ct)).ShouldBe("0");
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("it's \"quoted\" and `ticked`")]
    [InlineData("back\\slash, trailing\\")]
    [InlineData("tab\there, newline\nhere, return\rhere, blank line\n\nhere")]
    [InlineData("\\N")] // TabSeparated's NULL marker, as text
    [InlineData("{other:String}")]
    [InlineData("ünïcødé 比特币 🚀")]
    public async Task String_parameters_arrive_verbatim(string value)
    {
        var echoed = await Client.QueryAsync(
            "SELECT {value:String}", new ClickHouseParameters().Add("value", value), ClickHouseFormats.RowBinary,
            static data => new RowBinaryReader(data).ReadString(), Ct);

        echoed.ShouldBe(value);
    }

    public static TheoryData<long, decimal, long> TypedValues => new()
    {
        { 0, 0m, 0 },
        { long.MaxValue, 9_999_999_999.99999999m, 4_102_444_799_999_999 }, // 2099-12-31 23:59:59.999999
        { long.MinValue, -9_999_999_999.99999999m, 1 },
        { -1, -0.00000001m, 1_763_769_600_123_456 },
        { 42, 87_012.34567891m, 1_763_769_600_000_001 },
    };

    [Theory]
    [MemberData(nameof(TypedValues))]
    public async Task Int64_Decimal_and_DateTime64_parameters_keep_their_exact_values(long integer, decimal amount, long micros)
    {
        var parameters = new ClickHouseParameters().Add("i", integer).Add("d", amount).Add("t", new UnixMicros(micros));

        var (i, d, t) = await Client.QueryAsync(
            "SELECT {i:Int64}, {d:Decimal(18, 8)}, {t:DateTime64(6, 'UTC')}", parameters, ClickHouseFormats.RowBinary,
            static data =>
            {
                var reader = new RowBinaryReader(data);
                return (reader.ReadInt64(), reader.ReadDecimal64(8), reader.ReadDateTime64Micros());
            },
            Ct);

        i.ShouldBe(integer);
        d.ShouldBe(amount);
        t.ShouldBe(new UnixMicros(micros));
    }

    [Theory]
    [InlineData("1' OR '1' = '1")]
    [InlineData("1'; DROP TABLE {db}.silver_trades; --")]
    [InlineData("1\\' OR 1 = 1 --")]
    [InlineData("1') UNION ALL SELECT count() FROM system.tables --")]
    public async Task A_parameter_never_changes_the_statement(string attack)
    {
        var db = await MigratedDatabaseAsync();
        await TradeRows.InsertAsync(Client, db, SampleTrades(3), TradeRows.Day, Ct);

        var matches = await Client.QueryTextAsync(
            $"SELECT count() FROM {db}.silver_trades WHERE trade_id = {{id:String}}", Ct,
            new ClickHouseParameters().Add("id", attack.Replace("{db}", db, StringComparison.Ordinal)));

        matches.ShouldBe("0");
        (await Client.QueryTextAsync($"SELECT count() FROM {db}.silver_trades", Ct)).ShouldBe("3");
    }

    [Fact]
    public async Task An_unknown_table_throws_code_60_with_the_servers_message()
    {
        var db = await MigratedDatabaseAsync();

        var error = await Should.ThrowAsync<ClickHouseException>(() => Client.QueryTextAsync($"SELECT * FROM {db}.no_such_table", Ct));

        error.ErrorCode.ShouldBe(60); // UNKNOWN_TABLE
        error.Message.ShouldContain("no_such_table");
    }

    [Fact]
    public async Task A_syntax_error_throws_code_62_and_the_client_stays_usable()
    {
        var error = await Should.ThrowAsync<ClickHouseException>(() => Client.ExecuteAsync("SELEC 1", null, Ct));

        error.ErrorCode.ShouldBe(62); // SYNTAX_ERROR
        (await Client.QueryTextAsync("SELECT 1", Ct)).ShouldBe("1");
    }

    /// <summary>
    /// Issue 10 item 9, the part every transport shares: a query that fails after it produced rows is an error with the
    /// engine's code, never a shorter result. (Over HTTP a server may already have begun its answer with 200 OK; the
    /// HTTP suite covers that wire form, which the embedded engine has no counterpart of.)
    /// </summary>
    [Fact]
    public async Task A_query_that_fails_after_producing_rows_throws_its_code_and_hands_no_rows_to_the_reader()
    {
        var readerCalled = false;

        var error = await Should.ThrowAsync<ClickHouseException>(() => Client.QueryAsync(
            "SELECT number, throwIf(number = 1500000, 'failed after 1.5 million rows') FROM numbers(2000000) SETTINGS max_block_size = 1000",
            null, ClickHouseFormats.RowBinary, data => readerCalled = true, Ct));

        error.ErrorCode.ShouldBe(395); // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO
        error.Message.ShouldContain("failed after 1.5 million rows");
        readerCalled.ShouldBeFalse();
    }

    [Theory]
    [InlineData("__exception__\r\nCode: 395. DB::Exception: only looks like an error\n")]
    [InlineData("\r\n__exception__\r\nabcdefghij012345\r\nCode: 1. DB::Exception: x\n31 abcdefghij012345\r\n__exception__\r\n")]
    public async Task A_result_that_ends_like_a_server_exception_is_data(string value)
    {
        var echoed = await Client.QueryAsync(
            "SELECT {value:String}", new ClickHouseParameters().Add("value", value), ClickHouseFormats.RowBinary,
            static data => new RowBinaryReader(data).ReadString(), Ct);

        echoed.ShouldBe(value);
    }

    [Fact]
    public async Task A_large_result_arrives_whole()
    {
        const int Rows = 2_000_000;

        var (count, sum, last) = await Client.QueryAsync(
            $"SELECT number FROM numbers({Rows})", null, ClickHouseFormats.RowBinary,
            static data =>
            {
                var reader = new RowBinaryReader(data);
                long count = 0;
                ulong sum = 0, last = 0;
                while (!reader.End)
                {
                    last = reader.ReadUInt64();
                    sum += last;
                    count++;
                }

                return (count, sum, last);
            },
            Ct);

        count.ShouldBe(Rows);
        sum.ShouldBe((ulong)Rows * (Rows - 1) / 2);
        last.ShouldBe((ulong)Rows - 1);
    }

    [Fact]
    public async Task An_insert_repeated_with_the_same_deduplication_token_is_stored_once_in_a_bronze_table()
    {
        var db = await MigratedDatabaseAsync();
        var table = $"{db}.{BronzeTradesTable.TableName(Exchange.Kraken)}";
        var columns = new BronzeTradesTable(Exchange.Kraken).Columns;
        var insert = $"INSERT INTO {table} ({string.Join(", ", columns)})";
        byte[] Batch(long ingestMicros) => BronzeBatch(Exchange.Kraken, 40, new UnixMicros(TradeRows.Day.Value + ingestMicros));

        await Client.InsertAsync(insert, ClickHouseFormats.RowBinary, Batch(1), "batch-1", Ct);
        await Client.InsertAsync(insert, ClickHouseFormats.RowBinary, Batch(2), "batch-1", Ct); // re-stamped, as a retry is
        var afterRepeat = await Client.QueryTextAsync($"SELECT count(), toString(min(ingest_ts)), toString(max(ingest_ts)) FROM {table}", Ct);
        await Client.InsertAsync(insert, ClickHouseFormats.RowBinary, Batch(3), "batch-2", Ct);
        await Client.InsertAsync(insert, ClickHouseFormats.RowBinary, Batch(4), Ct);

        var day = TradeRows.Day.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        afterRepeat.ShouldBe($"40\t{day} 00:00:00.000001\t{day} 00:00:00.000001");
        (await Client.QueryTextAsync($"SELECT count() FROM {table}", Ct)).ShouldBe("120");
    }

    [Fact]
    public async Task A_malformed_deduplication_token_is_refused_before_anything_is_sent()
    {
        var db = await MigratedDatabaseAsync();
        var table = $"{db}.{BronzeTradesTable.TableName(Exchange.Kraken)}";

        await Should.ThrowAsync<ArgumentException>(() => Client.InsertAsync(
            $"INSERT INTO {table} ({string.Join(", ", new BronzeTradesTable(Exchange.Kraken).Columns)})", ClickHouseFormats.RowBinary,
            BronzeBatch(Exchange.Kraken, 1, TradeRows.Day), "x' , insert_deduplicate = '0", Ct));

        (await Client.QueryTextAsync($"SELECT count() FROM {table}", Ct)).ShouldBe("0");
    }

    /// <summary>
    /// Issue 10 item 10: a writer that retries an insert whose answer was lost must not store the batch twice. Bronze
    /// tables have no replacing key, so a second copy would stay forever.
    /// </summary>
    [Fact]
    public async Task A_bronze_batch_whose_insert_answer_was_lost_is_stored_once_after_the_writer_retries()
    {
        const int Rows = 250;
        var db = await MigratedDatabaseAsync();
        var clock = new ObservedTimeProvider(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));
        using var meters = new TestMeterFactory();
        await using var writer = new BatchedTableWriter<BronzeTrade>(
            Client, new BronzeTradesTable(Exchange.Binance), new HotStoreOptions { Database = db },
            new BatchedWriterOptions { MaxBatchRows = Rows, MaxBacklogBatchRows = Rows }, clock, new StorageMetrics(meters),
            NullLogger<BatchedTableWriter<BronzeTrade>>.Instance);
        foreach (var (trade, frame) in SampleTrades(Rows).Select((t, i) => (t, (long)i)))
        {
            await writer.WriteAsync(BronzeTrade.Accepted(trade, BronzeSource.WebSocket, "conn-1", frame, 0, Encoding.UTF8.GetBytes($"{{\"t\":{trade.TradeId}}}")), Ct);
        }

        LoseNextInsertAnswer();
        await writer.StartAsync(Ct); // the whole batch is buffered, so the only timer is the retry's back-off
        clock.Advance(await clock.NextTimerAsync(Ct));
        await writer.StopAsync(Ct);

        meters.Sum("k2.insert.failures").ShouldBe(1);
        writer.RowsWritten.ShouldBe(Rows);
        (await Client.QueryTextAsync($"SELECT count(), uniqExact(frame_seq) FROM {db}.{BronzeTradesTable.TableName(Exchange.Binance)}", Ct))
            .ShouldBe($"{Rows}\t{Rows}");
    }

    [Fact]
    public async Task Concurrent_queries_each_get_their_own_answer()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(
            () => Client.QueryTextAsync("SELECT {i:Int64} * 2", Ct, new ClickHouseParameters().Add("i", i)), Ct)));

        results.ShouldBe(Enumerable.Range(0, 32).Select(i => (i * 2).ToString(CultureInfo.InvariantCulture)));
    }
}
