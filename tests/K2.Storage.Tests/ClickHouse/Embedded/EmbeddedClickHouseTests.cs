using System.Text;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.ClickHouse.Embedded;

public sealed class EmbeddedClickHouseTests(EmbeddedClickHouseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<string> ScalarAsync(IClickHouseClient client, string sql, ClickHouseParameters? parameters = null) =>
        client.QueryAsync(sql, parameters, ClickHouseFormats.TabSeparated, static data => Encoding.UTF8.GetString(data).TrimEnd('\n'), Ct);

    [Fact]
    public async Task Runs_a_query_and_returns_its_result()
    {
        (await ScalarAsync(fixture.ClickHouse, "SELECT 40 + 2")).ShouldBe("42");
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("it's \"quoted\"")]
    [InlineData("back\\slash and\ttab and\nnewline and\rreturn")]
    [InlineData("'; DROP DATABASE k2; --")]
    [InlineData("ünïcødé 比特币")]
    public async Task String_parameters_arrive_verbatim(string value)
    {
        var bytes = await fixture.ClickHouse.QueryAsync(
            "SELECT {value:String}", new ClickHouseParameters().Add("value", value), ClickHouseFormats.RowBinary,
            static data => new K2.Storage.ClickHouse.RowBinary.RowBinaryReader(data).ReadString(), Ct);

        bytes.ShouldBe(value);
    }

    [Fact]
    public async Task Typed_parameters_are_converted_by_the_engine()
    {
        var parameters = new ClickHouseParameters()
            .Add("price", 67123.45678901m)
            .Add("id", long.MaxValue)
            .Add("at", new K2.Core.UnixMicros(1_763_769_600_123_456));

        var text = await ScalarAsync(
            fixture.ClickHouse,
            "SELECT toString({price:Decimal(18, 8)}), toString({id:Int64}), toString({at:DateTime64(6, 'UTC')})",
            parameters);

        text.ShouldBe("67123.45678901\t9223372036854775807\t2025-11-22 00:00:00.123456");
    }

    [Fact]
    public async Task A_failing_statement_throws_with_the_ClickHouse_error_code()
    {
        var error = await Should.ThrowAsync<ClickHouseException>(() => ScalarAsync(fixture.ClickHouse, "SELECT * FROM no_such_db.no_such_table"));

        error.ErrorCode.ShouldBe(81); // UNKNOWN_DATABASE
        error.Message.ShouldContain("no_such_db");
    }

    [Fact]
    public async Task A_syntax_error_throws_and_the_connection_stays_usable()
    {
        var error = await Should.ThrowAsync<ClickHouseException>(() => ScalarAsync(fixture.ClickHouse, "SELEC 1"));

        error.ErrorCode.ShouldBe(62); // SYNTAX_ERROR
        (await ScalarAsync(fixture.ClickHouse, "SELECT 1")).ShouldBe("1");
    }

    [Fact]
    public async Task Queries_run_concurrently_over_the_pool()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => ScalarAsync(fixture.ClickHouse, $"SELECT {i} * 2"), Ct)));

        results.ShouldBe(Enumerable.Range(0, 32).Select(i => (i * 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Inserts_stream_data_and_report_rows_written()
    {
        var db = (await fixture.CreateDatabaseAsync(Ct)).Database;
        await fixture.ClickHouse.ExecuteAsync($"CREATE TABLE {db}.lines (n UInt32, s String) ENGINE = MergeTree ORDER BY n", null, Ct);
        var csv = Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(1, 1000).Select(i => $"{i},\"line\n\n{i}\"")) + "\n");

        var written = await fixture.ClickHouse.InsertAsync($"INSERT INTO {db}.lines (n, s)", "CSV", csv, Ct);

        written.ShouldBe(1000);
        // Blank lines inside the data stay data: the bytes never pass through the SQL parser (reference/chdb.md rule 3).
        (await ScalarAsync(fixture.ClickHouse, $"SELECT count(), sum(n), countIf(s LIKE 'line\n\n%') FROM {db}.lines")).ShouldBe("1000\t500500\t1000");
    }

    [Fact]
    public async Task A_rejected_insert_throws_and_writes_nothing()
    {
        var db = (await fixture.CreateDatabaseAsync(Ct)).Database;
        await fixture.ClickHouse.ExecuteAsync($"CREATE TABLE {db}.numbers (n UInt32) ENGINE = MergeTree ORDER BY n", null, Ct);

        await Should.ThrowAsync<ClickHouseException>(() =>
            fixture.ClickHouse.InsertAsync($"INSERT INTO {db}.numbers (n)", "CSV", "1\nnot a number\n"u8.ToArray(), Ct));

        (await ScalarAsync(fixture.ClickHouse, $"SELECT count() FROM {db}.numbers")).ShouldBe("0");
    }

    [Fact]
    public async Task The_engine_allocates_from_one_arena()
    {
        // The allocator's own report of the options in force (this process sets no JE_MALLOC_CONF of its own).
        var statistics = await ScalarAsync(fixture.ClickHouse, "SELECT * FROM system.jemalloc_stats");

        statistics.ShouldContain($"Environment variable MALLOC_CONF: \"{ChdbLibrary.OneArena}\"");
        statistics.ShouldContain("opt.narenas: 1\\n");
        statistics.ShouldContain("opt.percpu_arena: \"disabled\"");
    }

    [Fact]
    public void A_second_data_path_in_the_same_process_is_refused_clearly()
    {
        using var other = new TempDirectory();

        var error = Should.Throw<ClickHouseException>(() =>
            EmbeddedClickHouse.Open(new EmbeddedClickHouseOptions { DataPath = other.Path }, NullLogger<EmbeddedClickHouse>.Instance));

        error.Message.ShouldContain("already has the embedded ClickHouse open");
    }
}
