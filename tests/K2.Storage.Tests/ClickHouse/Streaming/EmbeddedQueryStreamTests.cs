using System.Text;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using K2.Storage.Iceberg.Parquet;
using K2.Storage.Tests.Support;
using K2.Testing;

namespace K2.Storage.Tests.ClickHouse.Streaming;

/// <summary>
/// The stream contract on the embedded engine, plus what only it has: one piece per block, a pool of streaming
/// connections of its own that stays usable after cancellations and failures, and inserts and queries that go on
/// while every streaming connection waits on a slow writer.
/// </summary>
public sealed class EmbeddedQueryStreamTests(EmbeddedClickHouseFixture fixture) : QueryStreamContractTests
{
    /// <summary>The fixture opens the engine with default options.</summary>
    private static readonly int StreamConnections = new EmbeddedClickHouseOptions().StreamConnections;

    protected override IClickHouseClient Client => fixture.ClickHouse;

    protected override IClickHouseClient Engine => fixture.ClickHouse;

    /// <summary>The embedded stream returns only once chDB has stopped it.</summary>
    protected override Task StreamStoppedAsync() => Task.CompletedTask;

    [Fact]
    public async Task Each_block_is_one_piece_of_CSV_and_one_row_group_of_Parquet()
    {
        var csv = new RecordingChunkWriter();
        var parquet = new RecordingChunkWriter();

        await Client.QueryStreamAsync(Numbers, null, ClickHouseFormats.Csv, csv.WriteAsync, Ct);
        await Client.QueryStreamAsync(Numbers, null, ClickHouseFormats.Parquet, parquet.WriteAsync, Ct);

        csv.Writes.ShouldBe(Rows / BlockRows);
        parquet.Writes.ShouldBe((Rows / BlockRows) + 1); // each block's row groups, then the footer
        var footer = ParquetFooter.Read(parquet.Bytes);
        footer.RowCount.ShouldBe(Rows);
        footer.RowGroups.Select(g => g.RowCount).ShouldBe(Enumerable.Repeat((long)BlockRows, Rows / BlockRows));
        footer.RowGroups.Select(g => g.StartOffset).ShouldBeInOrder(SortDirection.Ascending);
        footer.RowGroups[0].StartOffset.ShouldBe(4); // right after PAR1
    }

    [Fact]
    public async Task Every_streaming_connection_serves_a_stream_after_cancellations_and_failures()
    {
        // As many streams as connections, held at once: each connection cancels one, then fails one.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await Should.ThrowAsync<OperationCanceledException>(() => OnEveryStreamingConnectionAsync(
            "SELECT number FROM numbers(1000000000) SETTINGS max_block_size = 1000", cancel.CancelAsync, cancel.Token));
        await Should.ThrowAsync<ClickHouseException>(() => OnEveryStreamingConnectionAsync(
            "SELECT number, throwIf(number = 5000) FROM numbers(10000) SETTINGS max_block_size = 1000", () => Task.CompletedTask, Ct));

        var results = await OnEveryStreamingConnectionAsync("SELECT number FROM numbers(3000) SETTINGS max_block_size = 1000", () => Task.CompletedTask, Ct);

        results.ShouldAllBe(bytes => Encoding.UTF8.GetString(bytes) == string.Concat(Enumerable.Range(0, 3000).Select(i => $"{i}\n")));
    }

    [Fact]
    public async Task Inserts_and_queries_go_on_while_every_streaming_connection_waits_on_its_writer()
    {
        var db = await fixture.CreateDatabaseAsync(Ct);
        await Client.ExecuteAsync($"CREATE TABLE {db.Database}.side (n UInt32) ENGINE = MergeTree ORDER BY n", null, Ct);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var once = 0;
        long inserted = 0;
        string counted = "";

        var results = await OnEveryStreamingConnectionAsync(
            "SELECT number FROM numbers(3000) SETTINGS max_block_size = 1000",
            async () =>
            {
                if (Interlocked.Exchange(ref once, 1) == 0)
                {
                    // Every streaming connection is now held by a writer that has not returned.
                    inserted = await Client.InsertAsync($"INSERT INTO {db.Database}.side (n)", ClickHouseFormats.Csv, "1\n2\n3\n"u8.ToArray(), Ct);
                    counted = await Client.QueryTextAsync($"SELECT count() FROM {db.Database}.side", Ct);
                    release.SetResult();
                }

                await release.Task.WaitAsync(Ct);
            },
            Ct);

        inserted.ShouldBe(3);
        counted.ShouldBe("3");
        results.ShouldAllBe(bytes => bytes.Length == Encoding.UTF8.GetByteCount(string.Concat(Enumerable.Range(0, 3000).Select(i => $"{i}\n"))));
    }

    [Fact]
    public async Task The_writer_runs_on_the_callers_side_never_on_a_chdb_thread()
    {
        var threads = new List<string?>();
        var writer = new RecordingChunkWriter((_, _) =>
        {
            threads.Add(Thread.CurrentThread.Name);
            return ValueTask.CompletedTask;
        });

        await Client.QueryStreamAsync(Numbers, null, ClickHouseFormats.Csv, writer.WriteAsync, Ct);

        threads.Count.ShouldBe(Rows / BlockRows);
        threads.ShouldAllBe(name => name == null || !name.StartsWith("chdb-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_statement_other_than_SELECT_is_refused_with_code_36_and_not_run()
    {
        var db = await fixture.CreateDatabaseAsync(Ct);
        var writer = new RecordingChunkWriter();

        var error = await Should.ThrowAsync<ClickHouseException>(() => Client.QueryStreamAsync(
            $"CREATE TABLE {db.Database}.created (n UInt32) ENGINE = Memory", null, ClickHouseFormats.Csv, writer.WriteAsync, Ct));

        error.ErrorCode.ShouldBe(36); // BAD_ARGUMENTS: "Streaming query is not supported"
        writer.Writes.ShouldBe(0);
        (await Client.QueryTextAsync($"EXISTS TABLE {db.Database}.created", Ct)).ShouldBe("0");
    }

    /// <summary>
    /// Runs <paramref name="sql"/> as <see cref="StreamConnections"/> CSV streams at once: each writer waits on its first
    /// piece until all streams have one, so each holds a connection of its own. <paramref name="onPiece"/> runs on every
    /// piece after that. Returns each stream's bytes.
    /// </summary>
    private async Task<byte[][]> OnEveryStreamingConnectionAsync(string sql, Func<Task> onPiece, CancellationToken cancellationToken)
    {
        var started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, StreamConnections).Select(_ => new RecordingChunkWriter(async (writes, token) =>
        {
            if (writes == 1 && Interlocked.Increment(ref started) == StreamConnections)
            {
                allStarted.SetResult();
            }

            await allStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), token);
            await onPiece();
        })).ToArray();

        await Task.WhenAll(writers.Select(w => Client.QueryStreamAsync(sql, null, ClickHouseFormats.Csv, w.WriteAsync, cancellationToken)));
        return [.. writers.Select(w => w.Bytes)];
    }
}
