using K2.Core;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.Tests.Support;
using K2.Storage.Trades;
using K2.Storage.Writers;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Storage.Tests.Writers;

/// <summary>The batched writer against the real engine, on a clock only the test moves.</summary>
public sealed class BatchedTableWriterTests(EmbeddedClickHouseFixture fixture) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    private readonly ObservedTimeProvider _clock = new(Start);
    private readonly TestMeterFactory _meters = new();

    public void Dispose() => _meters.Dispose();

    private BatchedTableWriter<Trade> Writer(
        IClickHouseClient client, HotStoreOptions store, BatchedWriterOptions options, ILandedRowsObserver<Trade>? landed = null) =>
        new(client, new SilverTradesTable(), store, options, _clock, new StorageMetrics(_meters), NullLogger<BatchedTableWriter<Trade>>.Instance, landed);

    private async Task<HotStoreOptions> DatabaseAsync()
    {
        var store = await fixture.CreateDatabaseAsync(Ct);
        await TradeRows.StopMergesAsync(fixture.ClickHouse, store.Database, Ct);
        return store;
    }

    /// <summary>Varied trades on two instruments: 8-decimal and extreme amounts, both sides, distinct times.</summary>
    private static List<Trade> SampleTrades(int count) =>
        [.. Enumerable.Range(1, count).Select(i => TradeRows.Make(
            i % 2 == 0 ? TradeRows.BinanceBtc : TradeRows.KrakenBtc,
            id: i,
            price: 87_012.34m + (i * 0.00000001m),
            quantity: (i % 3) switch { 0 => 0.00000001m, 1 => 9_999_999_999.99999999m, _ => i / 1000m },
            side: i % 5 == 0 ? TradeSide.Sell : TradeSide.Buy,
            exchangeOffsetMicros: i * 1_000L))];

    private static IEnumerable<StoredTrade> InStorageOrder(IEnumerable<Trade> trades, UnixMicros ingestTime) =>
        trades.Select(t => TradeRows.Expected(t, ingestTime)).OrderBy(t => t.Exchange, StringComparer.Ordinal)
            .ThenBy(t => t.Symbol, StringComparer.Ordinal).ThenBy(t => long.Parse(t.TradeId, System.Globalization.CultureInfo.InvariantCulture));

    private static void ShouldMatchRowForRow(IReadOnlyList<StoredTrade> actual, IEnumerable<StoredTrade> expected)
    {
        var wanted = expected.ToList();
        actual.Count.ShouldBe(wanted.Count);
        for (var i = 0; i < wanted.Count; i++)
        {
            actual[i].ShouldBe(wanted[i], $"row {i}");
        }
    }

    [Fact]
    public async Task A_backlog_drains_in_batches_larger_than_the_live_batch_size()
    {
        var store = await DatabaseAsync();
        await using var writer = Writer(fixture.ClickHouse, store, new BatchedWriterOptions
        {
            MaxBatchRows = 1_000, MaxBacklogBatchRows = 4_000, FlushInterval = TimeSpan.FromHours(1),
        });
        foreach (var trade in SampleTrades(9_000))
        {
            await writer.WriteAsync(trade, Ct); // buffered before the writer runs: a backlog
        }

        await writer.StartAsync(Ct);
        await writer.StopAsync(Ct);

        _meters.Values("k2.insert.batch.rows").ShouldBe([4_000, 4_000, 1_000]);
        (await TradeRows.ReadAllAsync(fixture.ClickHouse, store.Database, Ct)).Count.ShouldBe(9_000);
    }

    [Fact]
    public async Task Rows_across_several_batches_are_written_exactly_once_with_exact_values()
    {
        var store = await DatabaseAsync();
        var trades = SampleTrades(25_000);
        await using var writer = Writer(fixture.ClickHouse, store, new BatchedWriterOptions { MaxBatchRows = 10_000, MaxBacklogBatchRows = 10_000, MaxBufferedRows = 4_096 });

        await writer.StartAsync(Ct);
        foreach (var trade in trades)
        {
            await writer.WriteAsync(trade, Ct);
        }

        await writer.StopAsync(Ct);

        writer.RowsWritten.ShouldBe(25_000);
        writer.BufferedRows.ShouldBe(0);
        // The clock never reached a flush interval: only full batches, then the rest at stop.
        _meters.Values("k2.insert.batch.rows").ShouldBe([10_000, 10_000, 5_000]);
        _meters.Sum("k2.insert.rows").ShouldBe(25_000);
        _meters.Values("k2.insert.failures").ShouldBeEmpty();
        var stored = await TradeRows.ReadAllAsync(fixture.ClickHouse, store.Database, Ct);
        ShouldMatchRowForRow(stored, InStorageOrder(trades, UnixMicros.FromDateTimeOffset(Start)));
    }

    [Fact]
    public async Task A_small_batch_is_flushed_when_the_flush_interval_has_passed()
    {
        var store = await DatabaseAsync();
        var recording = new RecordingClickHouseClient(fixture.ClickHouse);
        var options = new BatchedWriterOptions { MaxBatchRows = 1_000, FlushInterval = TimeSpan.FromSeconds(1) };
        await using var writer = Writer(recording, store, options);
        var trades = SampleTrades(3);
        foreach (var trade in trades)
        {
            await writer.WriteAsync(trade, Ct);
        }

        await writer.StartAsync(Ct);
        await _clock.WaitForTimerAsync(options.FlushInterval, Ct); // the writer holds 3 rows and waits for more
        _clock.Advance(options.FlushInterval - TimeSpan.FromTicks(1));
        recording.InsertedData.ShouldBeEmpty();
        _clock.Advance(TimeSpan.FromTicks(1));

        (await recording.NextInsertAsync(Ct)).ShouldBe(3);
        recording.InsertedData.Count.ShouldBe(1);
        writer.RowsWritten.ShouldBe(3);
        await writer.StopAsync(Ct);
        var stored = await TradeRows.ReadAllAsync(fixture.ClickHouse, store.Database, Ct);
        ShouldMatchRowForRow(stored, InStorageOrder(trades, UnixMicros.FromDateTimeOffset(Start + options.FlushInterval)));
    }

    [Fact]
    public async Task Ingest_time_is_the_time_the_batch_is_written_not_when_rows_arrived()
    {
        var store = await DatabaseAsync();
        var recording = new RecordingClickHouseClient(fixture.ClickHouse);
        var options = new BatchedWriterOptions { MaxBatchRows = 1_000, FlushInterval = TimeSpan.FromMinutes(3) };
        await using var writer = Writer(recording, store, options);
        var trades = SampleTrades(2);

        await writer.StartAsync(Ct);
        await writer.WriteAsync(trades[0], Ct);
        await _clock.WaitForTimerAsync(options.FlushInterval, Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await writer.WriteAsync(trades[1], Ct);
        // The second row shortens nothing: the batch is due a flush interval after its first row.
        await _clock.WaitForTimerAsync(TimeSpan.FromMinutes(2), Ct);
        _clock.Advance(TimeSpan.FromMinutes(2));
        await recording.NextInsertAsync(Ct);
        await writer.StopAsync(Ct);

        var stored = await TradeRows.ReadAllAsync(fixture.ClickHouse, store.Database, Ct);
        stored.Select(t => t.IngestTime).ShouldBe([UnixMicros.FromDateTimeOffset(Start.AddMinutes(3)), UnixMicros.FromDateTimeOffset(Start.AddMinutes(3))]);
        stored.Select(t => t.ReceiptTime).ShouldBe(InStorageOrder(trades, default).Select(t => t.ReceiptTime));
    }

    [Fact]
    public async Task StopAsync_drains_the_buffer_before_it_returns()
    {
        var store = await DatabaseAsync();
        var options = new BatchedWriterOptions { MaxBatchRows = 1_000, FlushInterval = TimeSpan.FromHours(1) };
        await using var writer = Writer(fixture.ClickHouse, store, options);
        var trades = SampleTrades(7);
        foreach (var trade in trades)
        {
            await writer.WriteAsync(trade, Ct);
        }

        await writer.StartAsync(Ct);
        await _clock.WaitForTimerAsync(options.FlushInterval, Ct);
        (await TradeRows.ReadAllAsync(fixture.ClickHouse, store.Database, Ct)).ShouldBeEmpty();

        await writer.StopAsync(Ct);

        writer.RowsWritten.ShouldBe(7);
        writer.BufferedRows.ShouldBe(0);
        _meters.Values("k2.insert.dropped.rows").ShouldBeEmpty();
        ShouldMatchRowForRow(await TradeRows.ReadAllAsync(fixture.ClickHouse, store.Database, Ct), InStorageOrder(trades, UnixMicros.FromDateTimeOffset(Start)));
        await Should.ThrowAsync<System.Threading.Channels.ChannelClosedException>(() => writer.WriteAsync(trades[0], Ct).AsTask());
    }

    [Fact]
    public async Task Failed_inserts_are_retried_until_every_row_lands_exactly_once()
    {
        var store = await DatabaseAsync();
        var flaky = new FlakyClickHouseClient(fixture.ClickHouse, failures: 3);
        var options = new BatchedWriterOptions { MaxBatchRows = 100, MaxBacklogBatchRows = 100, InitialRetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero };
        await using var writer = Writer(flaky, store, options);
        var trades = SampleTrades(250);

        await writer.StartAsync(Ct);
        foreach (var trade in trades)
        {
            await writer.WriteAsync(trade, Ct);
        }

        await writer.StopAsync(Ct);

        flaky.Failed.ShouldBe(3);
        flaky.Attempts.ShouldBe(3 + 3); // three refusals, then batches of 100, 100 and 50
        _meters.Sum("k2.insert.failures").ShouldBe(3);
        _meters.Values("k2.insert.batch.rows").ShouldBe([100, 100, 50]);
        flaky.RowsWritten.ShouldBe(250);
        writer.RowsWritten.ShouldBe(250);
        (await fixture.ClickHouse.QueryTextAsync($"SELECT count(), uniqExact(exchange, trade_id) FROM {store.Database}.silver_trades", Ct))
            .ShouldBe("250\t250");
        ShouldMatchRowForRow(await TradeRows.ReadAllAsync(fixture.ClickHouse, store.Database, Ct), InStorageOrder(trades, UnixMicros.FromDateTimeOffset(Start)));
    }

    [Fact]
    public async Task A_retried_batch_carries_the_ingest_time_of_the_attempt_that_succeeded()
    {
        var store = await DatabaseAsync();
        var recording = new RecordingClickHouseClient(fixture.ClickHouse);
        var flaky = new FlakyClickHouseClient(recording, failures: 1);
        var options = new BatchedWriterOptions { MaxBatchRows = 2, InitialRetryDelay = TimeSpan.FromSeconds(2), MaxRetryDelay = TimeSpan.FromSeconds(2) };
        await using var writer = Writer(flaky, store, options);
        var trades = SampleTrades(2);
        foreach (var trade in trades)
        {
            await writer.WriteAsync(trade, Ct);
        }

        await writer.StartAsync(Ct);
        var retryDelay = await _clock.NextTimerAsync(Ct);
        _clock.Advance(retryDelay);
        await recording.NextInsertAsync(Ct);
        await writer.StopAsync(Ct);

        var stored = await TradeRows.ReadAllAsync(fixture.ClickHouse, store.Database, Ct);
        stored.Select(t => t.IngestTime).Distinct().ShouldBe([UnixMicros.FromDateTimeOffset(Start + retryDelay)]);
        stored.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Landed_rows_are_reported_with_their_ingest_time_unless_an_earlier_attempt_may_have_landed_them()
    {
        var store = await DatabaseAsync();
        var flaky = new FlakyClickHouseClient(fixture.ClickHouse, failures: 1);
        var landed = new LandedRows();
        var options = new BatchedWriterOptions { MaxBatchRows = 2, MaxBacklogBatchRows = 2, InitialRetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero };
        await using var writer = Writer(flaky, store, options, landed);
        var trades = SampleTrades(4);

        await writer.StartAsync(Ct);
        foreach (var trade in trades)
        {
            await writer.WriteAsync(trade, Ct);
        }

        await writer.StopAsync(Ct);

        // The first batch's first attempt was refused: whether an answer was lost cannot be told, so its time is not given.
        landed.Batches.ShouldBe([("1,2", null), ("3,4", UnixMicros.FromDateTimeOffset(Start))]);
    }

    private sealed class LandedRows : ILandedRowsObserver<Trade>
    {
        /// <summary>Each batch's trade ids, joined, with the ingest time reported.</summary>
        public List<(string TradeIds, UnixMicros? IngestTime)> Batches { get; } = [];

        public void Landed(IReadOnlyList<Trade> rows, UnixMicros? ingestTime) => Batches.Add((string.Join(",", rows.Select(t => t.TradeId)), ingestTime));
    }

    [Fact]
    public async Task Disposing_twice_is_harmless_as_the_container_does_for_a_writer_that_is_also_a_hosted_service()
    {
        var store = await DatabaseAsync();
        var writer = Writer(fixture.ClickHouse, store, new BatchedWriterOptions());
        await writer.StartAsync(Ct);
        await writer.StopAsync(Ct);

        await writer.DisposeAsync();
        await Should.NotThrowAsync(() => writer.DisposeAsync().AsTask());
    }
}
