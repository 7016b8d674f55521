using System.Globalization;
using System.Text;
using K2.Storage.ClickHouse;
using K2.Storage.Schema;
using K2.Storage.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.ClickHouse.Streaming;

/// <summary>
/// What <see cref="IClickHouseClient.QueryStreamAsync"/> must do on every transport, against the real engine: the
/// pieces make the same document the buffered query returns, in more than one piece; cancelling or a failing writer
/// stops the query and leaves the client usable; errors before and after the first piece throw.
/// </summary>
public abstract class QueryStreamContractTests
{
    /// <summary>200,000 rows in blocks of 10,000: twenty blocks, about 2.6 MB of CSV (more than one HTTP read).</summary>
    protected const int Rows = 200_000;

    protected const int BlockRows = 10_000;

    protected static readonly string Numbers =
        $"SELECT number, toString(number) AS text FROM numbers({Rows}) SETTINGS max_block_size = {BlockRows}";

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The transport under test.</summary>
    protected abstract IClickHouseClient Client { get; }

    /// <summary>The process's engine, whichever transport reaches it, to look at what runs there.</summary>
    protected abstract IClickHouseClient Engine { get; }

    /// <summary>Waits until the engine has finished with a stream whose caller stopped it (HTTP: the endpoint noticed the hang-up).</summary>
    protected abstract Task StreamStoppedAsync();

    [Theory]
    [InlineData(ClickHouseFormats.Csv)]
    [InlineData(ClickHouseFormats.CsvWithNames)]
    [InlineData(ClickHouseFormats.JsonEachRow)]
    [InlineData(ClickHouseFormats.TabSeparated)]
    [InlineData(ClickHouseFormats.RowBinary)]
    public async Task A_streamed_result_is_the_buffered_result_byte_for_byte_in_several_pieces(string format)
    {
        var buffered = await Client.QueryAsync(Numbers, null, format, static data => data.ToArray(), Ct);
        var writer = new RecordingChunkWriter();

        await Client.QueryStreamAsync(Numbers, null, format, writer.WriteAsync, Ct);

        writer.Bytes.ShouldBeSameBytes(buffered);
        writer.Writes.ShouldBeGreaterThan(1);
        buffered.Length.ShouldBeGreaterThan(1_000_000);
    }

    [Fact]
    public async Task CSVWithNames_streams_its_header_once_even_a_quoted_one_with_a_line_break()
    {
        const string Sql = "SELECT number AS \"a\"\"b\", toString(number) AS `line\nbreak` FROM numbers(3000) SETTINGS max_block_size = 1000";
        var writer = new RecordingChunkWriter();

        await Client.QueryStreamAsync(Sql, null, ClickHouseFormats.CsvWithNames, writer.WriteAsync, Ct);

        var text = Encoding.UTF8.GetString(writer.Bytes);
        text.ShouldStartWith("\"a\"\"b\",\"line\nbreak\"\n0,\"0\"\n");
        text.Split('\n').Count(line => line.StartsWith("\"a\"\"b\"", StringComparison.Ordinal)).ShouldBe(1);
        text.ShouldEndWith("2999,\"2999\"\n");
        (text.Split('\n').Length - 1).ShouldBe(3000 + 2); // the header's own line break, then one line per row
    }

    [Fact]
    public async Task Streamed_Parquet_is_one_valid_file_with_every_row_and_value()
    {
        var writer = new RecordingChunkWriter();

        await Client.QueryStreamAsync(Numbers, null, ClickHouseFormats.Parquet, writer.WriteAsync, Ct);

        var (rowGroups, rows) = await ParquetRows.ReadAsync(writer.Bytes, Ct);
        rows.ShouldBeSameSequence([.. Enumerable.Range(0, Rows).Select(i => $"number={i}|text={i}")]);
        rowGroups.ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task A_MergeTree_table_streams_as_Parquet_CSV_and_JSON_equal_to_its_buffered_results()
    {
        var db = await FilledSilverTradesAsync(rows: 60_000);
        var sql = $"""
            SELECT exchange, symbol, trade_id, price, quantity, side, exchange_ts, ingest_ts
            FROM {db}.silver_trades FINAL ORDER BY exchange, symbol, trade_id SETTINGS max_block_size = 5000
            """;

        foreach (var format in new[] { ClickHouseFormats.Csv, ClickHouseFormats.CsvWithNames, ClickHouseFormats.JsonEachRow })
        {
            var writer = new RecordingChunkWriter();
            await Client.QueryStreamAsync(sql, null, format, writer.WriteAsync, Ct);
            writer.Bytes.ShouldBeSameBytes(await Client.QueryAsync(sql, null, format, static data => data.ToArray(), Ct), format);
        }

        var parquet = new RecordingChunkWriter();
        await Client.QueryStreamAsync(sql, null, ClickHouseFormats.Parquet, parquet.WriteAsync, Ct);
        var streamed = await ParquetRows.ReadAsync(parquet.Bytes, Ct);
        var buffered = await ParquetRows.ReadAsync(await Client.QueryAsync(sql, null, ClickHouseFormats.Parquet, static data => data.ToArray(), Ct), Ct);
        streamed.Rows.Count.ShouldBe(60_000);
        streamed.Rows.ShouldBeSameSequence(buffered.Rows);
        streamed.Rows[1].ShouldBe("exchange=binance|symbol=BTC-USDT|trade_id=10|price=87000.1|quantity=0.011|side=buy|" +
                                  "exchange_ts=2026-11-22 10:00:00.000170|ingest_ts=2026-11-22 10:00:01.000000");
        streamed.RowGroups.ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task Streamed_Parquet_reads_back_in_ClickHouse_itself()
    {
        var db = await FilledSilverTradesAsync(rows: 30_000);
        var sql = $"SELECT trade_id, price, exchange_ts FROM {db}.silver_trades FINAL ORDER BY trade_id SETTINGS max_block_size = 4000";
        var writer = new RecordingChunkWriter();
        await Client.QueryStreamAsync(sql, null, ClickHouseFormats.Parquet, writer.WriteAsync, Ct);
        using var directory = new K2.Testing.TempDirectory("k2-stream");
        var file = Path.Combine(directory.Path, "export.parquet");
        await File.WriteAllBytesAsync(file, writer.Bytes, Ct);

        var fromFile = await Engine.QueryTextAsync(
            "SELECT count(), sum(cityHash64(trade_id, price, exchange_ts)) FROM file({file:String}, Parquet)", Ct,
            new ClickHouseParameters().Add("file", file));
        var fromTable = await Engine.QueryTextAsync(
            $"SELECT count(), sum(cityHash64(trade_id, price, exchange_ts)) FROM ({sql})", Ct);

        fromFile.ShouldBe(fromTable);
        fromFile.ShouldStartWith("30000\t");
    }

    [Fact]
    public async Task Parameters_reach_a_streamed_query()
    {
        var writer = new RecordingChunkWriter();

        await Client.QueryStreamAsync(
            "SELECT {n:UInt32} + 1 AS n, {s:String} AS s", new ClickHouseParameters().Add("n", 41).Add("s", "tab\there, quote \"x\""),
            ClickHouseFormats.JsonEachRow, writer.WriteAsync, Ct);

        Encoding.UTF8.GetString(writer.Bytes).ShouldBe("{\"n\":42,\"s\":\"tab\\there, quote \\\"x\\\"\"}\n");
    }

    [Fact]
    public async Task An_empty_result_streams_as_the_buffered_one_does()
    {
        const string Sql = "SELECT number FROM numbers(10) WHERE number > 100";
        foreach (var format in new[] { ClickHouseFormats.Csv, ClickHouseFormats.CsvWithNames })
        {
            var writer = new RecordingChunkWriter();
            await Client.QueryStreamAsync(Sql, null, format, writer.WriteAsync, Ct);
            writer.Bytes.ShouldBeSameBytes(await Client.QueryAsync(Sql, null, format, static data => data.ToArray(), Ct), format);
        }

        var parquet = new RecordingChunkWriter();
        await Client.QueryStreamAsync(Sql, null, ClickHouseFormats.Parquet, parquet.WriteAsync, Ct);
        (await ParquetRows.ReadAsync(parquet.Bytes, Ct)).Rows.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_format_that_cannot_be_streamed_is_refused_before_anything_runs()
    {
        var writer = new RecordingChunkWriter();

        var error = await Should.ThrowAsync<ArgumentException>(() => Client.QueryStreamAsync("SELECT 1", null, "JSON", writer.WriteAsync, Ct));

        error.Message.ShouldContain("'JSON' cannot be streamed");
        writer.Writes.ShouldBe(0);
    }

    [Fact]
    public async Task Cancelling_mid_stream_stops_the_query_and_the_client_answers_the_next_one()
    {
        var marker = Marker();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writer = new RecordingChunkWriter(async (writes, _) =>
        {
            if (writes == 3)
            {
                await cancel.CancelAsync();
            }
        });

        await Should.ThrowAsync<OperationCanceledException>(() => Client.QueryStreamAsync(
            $"SELECT number AS {marker} FROM numbers(1000000000) SETTINGS max_block_size = 100000", null, ClickHouseFormats.Csv, writer.WriteAsync,
            cancel.Token));
        await StreamStoppedAsync();

        writer.Writes.ShouldBe(3);
        (await RunningAsync(marker)).ShouldBe(0);
        await ShouldStreamNumbersAsync();
    }

    [Fact]
    public async Task A_writer_that_throws_stops_the_query_with_its_own_exception()
    {
        var marker = Marker();
        var writer = new RecordingChunkWriter((writes, _) => writes == 2 ? throw new IOException("the export's client went away") : ValueTask.CompletedTask);

        var error = await Should.ThrowAsync<IOException>(() => Client.QueryStreamAsync(
            $"SELECT number AS {marker} FROM numbers(1000000000) SETTINGS max_block_size = 100000", null, ClickHouseFormats.Csv, writer.WriteAsync, Ct));
        await StreamStoppedAsync();

        error.Message.ShouldBe("the export's client went away");
        writer.Writes.ShouldBe(2);
        (await RunningAsync(marker)).ShouldBe(0);
        await ShouldStreamNumbersAsync();
    }

    [Fact]
    public async Task An_unknown_table_throws_code_60_before_anything_is_written()
    {
        var writer = new RecordingChunkWriter();

        var error = await Should.ThrowAsync<ClickHouseException>(() => Client.QueryStreamAsync(
            "SELECT * FROM no_such_database.no_such_table", null, ClickHouseFormats.Csv, writer.WriteAsync, Ct));

        error.ErrorCode.ShouldBe(81); // UNKNOWN_DATABASE
        writer.Writes.ShouldBe(0);
        await ShouldStreamNumbersAsync();
    }

    [Fact]
    public async Task A_syntax_error_throws_code_62_before_anything_is_written()
    {
        var writer = new RecordingChunkWriter();

        var error = await Should.ThrowAsync<ClickHouseException>(() => Client.QueryStreamAsync("SELEC 1", null, ClickHouseFormats.Csv, writer.WriteAsync, Ct));

        error.ErrorCode.ShouldBe(62); // SYNTAX_ERROR
        writer.Writes.ShouldBe(0);
    }

    /// <summary>
    /// The query fails in its 151st block, after 150 blocks went to the writer: the method throws the engine's error, and
    /// what was written is the start of the result, never the error text.
    /// </summary>
    [Fact]
    public async Task A_query_that_fails_mid_stream_throws_its_code_after_the_pieces_before_it_and_the_client_stays_usable()
    {
        var writer = new RecordingChunkWriter();

        var error = await Should.ThrowAsync<ClickHouseException>(() => Client.QueryStreamAsync(
            "SELECT number, throwIf(number = 1500000, 'failed after 1.5 million rows') FROM numbers(2000000) SETTINGS max_block_size = 10000",
            null, ClickHouseFormats.Csv, writer.WriteAsync, Ct));

        error.ErrorCode.ShouldBe(395); // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO
        error.Message.ShouldContain("failed after 1.5 million rows");
        var written = Encoding.UTF8.GetString(writer.Bytes);
        written.ShouldStartWith("0,0\n1,0\n");
        written.ShouldNotContain("Exception");
        written.Split('\n').SkipLast(1).Select((line, i) => line == $"{i},0").All(same => same).ShouldBeTrue();
        await ShouldStreamNumbersAsync();
    }

    /// <summary>A database with <c>silver_trades</c> filled in three inserts (three parts), trade ids 0…rows-1 over two symbols.</summary>
    protected async Task<string> FilledSilverTradesAsync(int rows)
    {
        var db = $"stream_{Guid.NewGuid():N}";
        await new HotStoreMigrator(Client, new HotStoreOptions { Database = db }, TimeProvider.System, NullLogger<HotStoreMigrator>.Instance).MigrateAsync(Ct);
        for (var part = 0; part < 3; part++)
        {
            await Client.ExecuteAsync($$"""
                INSERT INTO {{db}}.silver_trades
                SELECT 'binance', ['BTC-USDT', 'ETH-USDT'][number % 2 + 1], 'X', toString(number),
                       toDecimal64(87000, 8) + toDecimal64(number % 1000, 8) / 100, toDecimal64(number % 997 + 1, 8) / 1000,
                       if(number % 3 = 0, 'sell', 'buy'),
                       toDateTime64('2026-11-22 10:00:00', 6, 'UTC') + toIntervalMicrosecond(number * 17),
                       toDateTime64('2026-11-22 10:00:00', 6, 'UTC') + toIntervalMicrosecond(number * 17),
                       toDateTime64('2026-11-22 10:00:01', 6, 'UTC')
                FROM numbers({from:UInt64}, {count:UInt64})
                """, new ClickHouseParameters().Add("from", (long)part * rows / 3).Add("count", (long)rows / 3), Ct);
        }

        return db;
    }

    /// <summary>A column alias unique to one test, to find its query among the engine's running ones.</summary>
    protected static string Marker() => $"stream_{Guid.NewGuid():N}";

    /// <summary>Queries running in the engine whose text contains <paramref name="marker"/>.</summary>
    protected async Task<int> RunningAsync(string marker) =>
        int.Parse(
            await Engine.QueryTextAsync(
                "SELECT count() FROM system.processes WHERE position(query, {marker:String}) > 0 AND query_id != queryID()", Ct,
                new ClickHouseParameters().Add("marker", marker)),
            CultureInfo.InvariantCulture);

    /// <summary>The client still streams a whole, exact result.</summary>
    protected async Task ShouldStreamNumbersAsync()
    {
        var writer = new RecordingChunkWriter();
        await Client.QueryStreamAsync("SELECT number FROM numbers(5000) SETTINGS max_block_size = 1000", null, ClickHouseFormats.Csv, writer.WriteAsync, Ct);
        Encoding.UTF8.GetString(writer.Bytes).ShouldBe(string.Concat(Enumerable.Range(0, 5000).Select(i => $"{i}\n")));
    }
}
