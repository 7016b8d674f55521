using System.Globalization;
using System.Text;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using K2.Testing;

namespace K2.Storage.Tests.ClickHouse.Embedded;

/// <summary>
/// Native chDB calls run on the engine's own threads, not the caller's thread-pool thread. Closing the engine while a
/// statement runs needs an engine of its own, which this process cannot open (one data path per process, held by the
/// fixture): <see cref="ChdbWorkerPoolTests"/> covers those rules with fake connections.
/// </summary>
public sealed class EmbeddedClickHouseThreadingTests(EmbeddedClickHouseFixture fixture)
{
    /// <summary>The fixture opens the engine with default options.</summary>
    private static readonly int QueryConnections = new EmbeddedClickHouseOptions().QueryConnections;

    /// <summary>Only reached when a test fails; nothing here waits for it in a passing run.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_result_reader_runs_on_a_dedicated_chdb_thread_and_the_caller_resumes_elsewhere()
    {
        var reader = await fixture.ClickHouse.QueryAsync("SELECT 1", null, ClickHouseFormats.TabSeparated, static _ => Thread.CurrentThread, Ct);

        reader.Name.ShouldNotBeNull().ShouldStartWith("chdb-query-");
        reader.IsThreadPoolThread.ShouldBeFalse();
        reader.IsBackground.ShouldBeTrue();
        Thread.CurrentThread.ShouldNotBe(reader);
    }

    [Fact]
    public async Task Queries_run_in_parallel_one_per_connection()
    {
        var results = await QueryOnEveryConnectionAsync(i => $"SELECT {i} * 2", static text => text);

        results.Select(r => r.Value).ShouldBe(Enumerable.Range(0, QueryConnections).Select(i => (i * 2).ToString(CultureInfo.InvariantCulture)));
        results.Select(r => r.Thread).Distinct().Count().ShouldBe(QueryConnections);
    }

    [Fact]
    public async Task A_reader_exception_reaches_the_caller_and_every_connection_stays_usable()
    {
        var error = await Should.ThrowAsync<InvalidDataException>(
            QueryOnEveryConnectionAsync<int>(i => $"SELECT {i}", static _ => throw new InvalidDataException("reader failed")));

        error.Message.ShouldBe("reader failed");
        var results = await QueryOnEveryConnectionAsync(i => $"SELECT {i} + 1", static text => text);
        results.Select(r => r.Value).ShouldBe(Enumerable.Range(1, QueryConnections).Select(i => i.ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_request_cancelled_before_it_starts_never_reaches_chDB()
    {
        var db = await CreateSideEffectTableAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Should.ThrowAsync<TaskCanceledException>(
            fixture.ClickHouse.ExecuteAsync($"INSERT INTO {db}.side_effects SELECT 1", null, cancelled.Token));
        await Should.ThrowAsync<TaskCanceledException>(
            fixture.ClickHouse.InsertAsync($"INSERT INTO {db}.side_effects (n)", "CSV", "2\n"u8.ToArray(), cancelled.Token));

        (await CountAsync(db)).ShouldBe("0");
    }

    [Fact]
    public async Task A_request_cancelled_while_every_connection_is_busy_ends_at_once_and_never_runs()
    {
        var db = await CreateSideEffectTableAsync();
        using var busy = new CountdownEvent(QueryConnections);
        using var release = new ManualResetEventSlim();
        var blockers = Enumerable.Range(0, QueryConnections).Select(_ => fixture.ClickHouse.QueryAsync(
            "SELECT 1", null, ClickHouseFormats.TabSeparated,
            _ =>
            {
                busy.Signal();
                return release.Wait(Bound);
            },
            Ct)).ToArray();
        try
        {
            busy.Wait(Bound, Ct).ShouldBeTrue("every query connection should be running one of ours");
            using var cancellation = new CancellationTokenSource();
            var queued = fixture.ClickHouse.ExecuteAsync($"INSERT INTO {db}.side_effects SELECT 1", null, cancellation.Token);
            queued.IsCompleted.ShouldBeFalse();

            await cancellation.CancelAsync();

            // Still inside the try: every connection is busy, so the caller was not held until one came free.
            await Should.ThrowAsync<TaskCanceledException>(queued.WaitAsync(Bound, Ct));
        }
        finally
        {
            release.Set();
        }

        (await Task.WhenAll(blockers)).ShouldAllBe(released => released);
        (await CountAsync(db)).ShouldBe("0");
    }

    /// <summary>
    /// Runs one query per query connection; each reader waits at a barrier until all of them are inside their readers
    /// at once, which only happens when every connection runs one of them on its own thread. Other test classes share
    /// the engine; their queries only delay the barrier.
    /// </summary>
    private async Task<(T Value, string? Thread)[]> QueryOnEveryConnectionAsync<T>(Func<int, string> sql, Func<string, T> read)
    {
        using var barrier = new Barrier(QueryConnections);
        return await Task.WhenAll(Enumerable.Range(0, QueryConnections).Select(i => fixture.ClickHouse.QueryAsync(
            sql(i), null, ClickHouseFormats.TabSeparated,
            data =>
            {
                var text = Encoding.UTF8.GetString(data).TrimEnd('\n');
                barrier.SignalAndWait(Bound).ShouldBeTrue("the queries should run at the same time");
                return (read(text), Thread.CurrentThread.Name);
            },
            Ct)));
    }

    private async Task<string> CreateSideEffectTableAsync()
    {
        var db = (await fixture.CreateDatabaseAsync(Ct)).Database;
        await fixture.ClickHouse.ExecuteAsync($"CREATE TABLE {db}.side_effects (n UInt8) ENGINE = MergeTree ORDER BY n", null, Ct);
        return db;
    }

    private Task<string> CountAsync(string db) => fixture.ClickHouse.QueryAsync(
        $"SELECT count() FROM {db}.side_effects", null, ClickHouseFormats.TabSeparated, static data => Encoding.UTF8.GetString(data).TrimEnd('\n'), Ct);
}
