using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.Tests.Support;
using K2.Storage.Trades;
using K2.Storage.Writers;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Writers;

/// <summary>Back-off, back-pressure and shutdown against scripted stores; no engine needed.</summary>
public sealed class BatchedTableWriterResilienceTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    private readonly ObservedTimeProvider _clock = new(Start);
    private readonly TestMeterFactory _meters = new();

    public void Dispose() => _meters.Dispose();

    private BatchedTableWriter<Trade> Writer(IClickHouseClient client, BatchedWriterOptions options) =>
        new(client, new SilverTradesTable(), new HotStoreOptions(), options, _clock, new StorageMetrics(_meters), NullLogger<BatchedTableWriter<Trade>>.Instance);

    private static Trade Sample(int id) => TradeRows.Make(TradeRows.BinanceBtc, id, 87_012.34m);

    [Fact]
    public async Task Retries_wait_an_exponentially_growing_jittered_delay_up_to_the_cap()
    {
        var recording = new RecordingClickHouseClient();
        var flaky = new FlakyClickHouseClient(recording, failures: 3);
        var options = new BatchedWriterOptions
        {
            MaxBatchRows = 2, InitialRetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(1.5),
        };
        await using var writer = Writer(flaky, options);
        await writer.WriteAsync(Sample(1), Ct);
        await writer.WriteAsync(Sample(2), Ct);
        await writer.StartAsync(Ct);

        // Each failure parks the writer on one timer; nothing is retried until the test moves the clock.
        var first = await _clock.NextTimerAsync(Ct);
        flaky.Attempts.ShouldBe(1);
        first.ShouldBeInRange(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)); // half to all of 1 s
        _clock.Advance(first);

        var second = await _clock.NextTimerAsync(Ct);
        flaky.Attempts.ShouldBe(2);
        second.ShouldBeInRange(TimeSpan.FromSeconds(0.75), TimeSpan.FromSeconds(1.5)); // 2 s capped at 1.5 s
        _clock.Advance(second);

        var third = await _clock.NextTimerAsync(Ct);
        flaky.Attempts.ShouldBe(3);
        third.ShouldBeInRange(TimeSpan.FromSeconds(0.75), TimeSpan.FromSeconds(1.5)); // stays at the cap
        _clock.Advance(third);

        await recording.NextInsertAsync(Ct);
        flaky.Attempts.ShouldBe(4);
        _meters.Sum("k2.insert.failures").ShouldBe(3);
        await writer.StopAsync(Ct);
        writer.RowsWritten.ShouldBe(2);
    }

    [Fact]
    public async Task Every_attempt_at_a_batch_carries_the_same_deduplication_token_and_the_next_batch_a_new_one()
    {
        var attempts = new RecordingClickHouseClient(new FlakyClickHouseClient(new RecordingClickHouseClient(), failures: 2));
        await using var writer = Writer(attempts, new BatchedWriterOptions { MaxBatchRows = 2, MaxBacklogBatchRows = 2 });
        await writer.WriteAsync(Sample(1), Ct);
        await writer.WriteAsync(Sample(2), Ct);
        await writer.StartAsync(Ct);

        _clock.Advance(await _clock.NextTimerAsync(Ct));
        _clock.Advance(await _clock.NextTimerAsync(Ct));
        await attempts.NextInsertAsync(Ct);
        await writer.WriteAsync(Sample(3), Ct);
        await writer.WriteAsync(Sample(4), Ct);
        await attempts.NextInsertAsync(Ct);
        await writer.StopAsync(Ct);

        var tokens = attempts.DeduplicationTokens.ToList();
        tokens.Count.ShouldBe(4);
        tokens[0].ShouldNotBeNull();
        InsertDeduplicationToken.IsValid(tokens[0]!).ShouldBeTrue();
        tokens[1].ShouldBe(tokens[0]);
        tokens[2].ShouldBe(tokens[0]);
        tokens[3].ShouldNotBeNull();
        tokens[3].ShouldNotBe(tokens[0]);
    }

    [Fact]
    public async Task A_full_buffer_makes_writers_wait_until_the_store_takes_rows()
    {
        var store = new GatedClickHouseClient();
        var options = new BatchedWriterOptions { MaxBatchRows = 2, MaxBacklogBatchRows = 2, MaxBufferedRows = 3, FlushInterval = TimeSpan.FromHours(1) };
        await using var writer = Writer(store, options);
        await writer.StartAsync(Ct);

        await writer.WriteAsync(Sample(1), Ct);
        await writer.WriteAsync(Sample(2), Ct);
        await store.EnteredAsync(Ct); // the first batch (rows 1 and 2) is in an insert that does not return
        var accepted = Enumerable.Range(3, 3).Select(i => writer.WriteAsync(Sample(i), Ct)).ToList();
        var blocked = writer.WriteAsync(Sample(6), Ct);

        accepted.ShouldAllBe(write => write.IsCompletedSuccessfully);
        blocked.IsCompleted.ShouldBeFalse();
        writer.BufferedRows.ShouldBe(5);

        store.Release();
        await blocked.AsTask().WaitAsync(Ct); // the writer took rows 3 and 4, making room for row 6
        await store.EnteredAsync(Ct);
        store.Completed.ShouldBe(1);
        writer.RowsWritten.ShouldBe(2);

        store.Release(2);
        await writer.StopAsync(Ct);
        store.Completed.ShouldBe(3);
        writer.RowsWritten.ShouldBe(6);
        writer.BufferedRows.ShouldBe(0);
    }

    [Fact]
    public async Task A_writer_waiting_on_a_full_buffer_can_be_cancelled()
    {
        var store = new GatedClickHouseClient();
        var options = new BatchedWriterOptions { MaxBatchRows = 1, MaxBufferedRows = 1, FlushInterval = TimeSpan.FromHours(1) };
        await using var writer = Writer(store, options);
        await writer.StartAsync(Ct);
        await writer.WriteAsync(Sample(1), Ct);
        await store.EnteredAsync(Ct);
        await writer.WriteAsync(Sample(2), Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var blocked = writer.WriteAsync(Sample(3), cancel.Token);
        blocked.IsCompleted.ShouldBeFalse();
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => blocked.AsTask());
        store.Release(2);
        await writer.StopAsync(Ct);
        writer.RowsWritten.ShouldBe(2);
    }

    [Fact]
    public async Task A_row_that_fits_is_accepted_even_with_a_cancelled_token_so_producers_can_drain_at_shutdown()
    {
        var store = new GatedClickHouseClient();
        var options = new BatchedWriterOptions { MaxBatchRows = 1, MaxBufferedRows = 1, FlushInterval = TimeSpan.FromHours(1) };
        await using var writer = Writer(store, options);
        await writer.StartAsync(Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await writer.WriteAsync(Sample(1), cancelled.Token); // room: accepted
        await store.EnteredAsync(Ct);
        await writer.WriteAsync(Sample(2), cancelled.Token); // room again: the first row is in flight
        await Should.ThrowAsync<OperationCanceledException>(() => writer.WriteAsync(Sample(3), cancelled.Token).AsTask()); // full

        store.Release(2);
        await writer.StopAsync(Ct);
        writer.RowsWritten.ShouldBe(2);
    }

    [Fact]
    public async Task Shutdown_with_the_store_down_gives_up_after_the_timeout_and_reports_dropped_rows()
    {
        var store = new DownClickHouseClient();
        var options = new BatchedWriterOptions
        {
            MaxBatchRows = 5, FlushInterval = TimeSpan.FromHours(1), ShutdownFlushTimeout = TimeSpan.FromSeconds(10),
            InitialRetryDelay = TimeSpan.FromMinutes(1), MaxRetryDelay = TimeSpan.FromMinutes(1),
        };
        await using var writer = Writer(store, options);
        for (var i = 1; i <= 8; i++)
        {
            await writer.WriteAsync(Sample(i), Ct);
        }

        await writer.StartAsync(Ct);
        (await _clock.NextTimerAsync(Ct)).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(30)); // retry after the failed first batch
        var stopping = writer.StopAsync(Ct);
        await _clock.WaitForTimerAsync(options.ShutdownFlushTimeout, Ct);
        stopping.IsCompleted.ShouldBeFalse();

        _clock.Advance(options.ShutdownFlushTimeout);
        await stopping.WaitAsync(Ct);

        store.Attempts.ShouldBe(1);
        writer.RowsWritten.ShouldBe(0);
        writer.BufferedRows.ShouldBe(8); // five in the abandoned batch, three never taken
        _meters.Values("k2.insert.dropped.rows").ShouldBe([8]);
        _meters.Sum("k2.insert.failures").ShouldBe(1);
    }

    [Fact]
    public async Task An_insert_that_fails_after_shutdown_gave_up_still_ends_in_a_drop_report()
    {
        // The store error arrives after the shutdown timeout has cancelled the writer: StopAsync must still finish
        // and report the rows, not throw the store's error.
        var store = new DownClickHouseClient(failWhenCancelled: true);
        var options = new BatchedWriterOptions { MaxBatchRows = 2, FlushInterval = TimeSpan.FromHours(1), ShutdownFlushTimeout = TimeSpan.FromSeconds(5) };
        await using var writer = Writer(store, options);
        for (var i = 1; i <= 3; i++)
        {
            await writer.WriteAsync(Sample(i), Ct);
        }

        await writer.StartAsync(Ct);
        await store.Entered.Task.WaitAsync(Ct);
        var stopping = writer.StopAsync(Ct);
        await _clock.WaitForTimerAsync(options.ShutdownFlushTimeout, Ct);

        _clock.Advance(options.ShutdownFlushTimeout);
        await stopping.WaitAsync(Ct);

        writer.BufferedRows.ShouldBe(3);
        _meters.Values("k2.insert.dropped.rows").ShouldBe([3]);
    }

    [Fact]
    public async Task Stopping_a_writer_with_nothing_buffered_reports_nothing()
    {
        await using var writer = Writer(new DownClickHouseClient(), new BatchedWriterOptions());
        await writer.StartAsync(Ct);

        await writer.StopAsync(Ct);

        writer.RowsWritten.ShouldBe(0);
        _meters.Values("k2.insert.dropped.rows").ShouldBeEmpty();
    }
}
