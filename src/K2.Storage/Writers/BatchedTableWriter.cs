using System.Buffers;
using System.Threading.Channels;
using K2.Core;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.RowBinary;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Storage.Writers;

/// <summary>
/// The one writer of one table. Producers hand it rows; it inserts them in RowBinary batches of up to
/// <see cref="BatchedWriterOptions.MaxBatchRows"/> rows or <see cref="BatchedWriterOptions.FlushInterval"/> of waiting.
/// A failed insert is retried with capped exponential backoff and jitter while the bounded buffer fills and then
/// makes producers wait, so a store outage slows ingest down instead of losing rows or growing memory; once the
/// store is back, the backlog drains. Stopping drains the buffer before it returns. A producer that must read its own
/// writes back waits for <see cref="WhenWrittenAsync"/>.
/// </summary>
public sealed partial class BatchedTableWriter<TRow> : IHostedService, IAsyncDisposable
{
    private readonly IClickHouseClient _client;
    private readonly IRowBinaryTable<TRow> _table;
    private readonly BatchedWriterOptions _options;
    private readonly TimeProvider _time;
    private readonly StorageMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<Entry> _buffer;
    private readonly List<TRow> _batch;
    private readonly List<TaskCompletionSource> _waiters = [];
    private readonly ArrayBufferWriter<byte> _encoded = new(1 << 20);
    private readonly ArrayBufferWriter<byte> _scratch = new(1 << 10);
    private readonly int _backlogBatchRows;
    private readonly string _insertStatement;
    private readonly KeyValuePair<string, object?> _tableTag;
    private readonly CancellationTokenSource _abort = new();
    private Task _loop = Task.CompletedTask;
    private long _rowsWritten;
    private int _inFlight;
    private int _unencodable;
    private int _disposed;
    private readonly ILandedRowsObserver<TRow>? _landed;
    private UnixMicros _encodedIngestTime;
    private readonly List<TRow> _encodedRows = [];

    /// <summary>A writer of <paramref name="table"/>; <paramref name="landed"/>, if given, is told of every batch inserted.</summary>
    public BatchedTableWriter(
        IClickHouseClient client, IRowBinaryTable<TRow> table, HotStoreOptions storeOptions, BatchedWriterOptions options,
        TimeProvider time, StorageMetrics metrics, ILogger<BatchedTableWriter<TRow>> logger, ILandedRowsObserver<TRow>? landed = null)
    {
        _landed = landed;
        _client = client;
        _table = table;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _buffer = Channel.CreateBounded<Entry>(new BoundedChannelOptions(options.MaxBufferedRows)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _batch = new List<TRow>(options.MaxBatchRows);
        _backlogBatchRows = Math.Max(options.MaxBatchRows, options.MaxBacklogBatchRows);
        _insertStatement = $"INSERT INTO {storeOptions.Database}.{table.Name} ({string.Join(", ", table.Columns)})";
        _tableTag = new("table", table.Name);
        metrics.TrackBuffered(table.Name, () => BufferedRows);
    }

    /// <summary>The table this writer inserts into (<c>silver_trades</c>).</summary>
    public string Table => _table.Name;

    /// <summary>Rows accepted but not yet inserted (buffered plus the batch in flight).</summary>
    public long BufferedRows => _buffer.Reader.Count + Volatile.Read(ref _inFlight);

    /// <summary>Rows inserted since start.</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

    /// <summary>Queues a row if the buffer has room; false when it is full (or the writer has stopped).</summary>
    public bool TryWrite(TRow row) => _buffer.Writer.TryWrite(new Entry(row, null));

    /// <summary>
    /// Queues a row; waits while the buffer is full. The token only cancels that wait: a row that fits is always
    /// accepted, so producers draining at shutdown (with their tokens already cancelled) still hand over their rows.
    /// </summary>
    public ValueTask WriteAsync(TRow row, CancellationToken cancellationToken) =>
        _buffer.Writer.TryWrite(new Entry(row, null)) ? ValueTask.CompletedTask : _buffer.Writer.WriteAsync(new Entry(row, null), cancellationToken);

    /// <summary>
    /// Completes once every row handed over before this call has been inserted (rows are inserted in the order they
    /// were handed over); fails when the writer stops first.
    /// </summary>
    public async Task WhenWrittenAsync(CancellationToken cancellationToken)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _buffer.Writer.WriteAsync(new Entry(default!, written), cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            throw new InvalidOperationException($"The {_table.Name} writer has stopped.", e);
        }

        await written.Task.WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting rows and drains what is buffered, giving up after the shutdown flush timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _buffer.Writer.TryComplete();
        var timeout = Task.Delay(_options.ShutdownFlushTimeout, _time, CancellationToken.None);
        if (await Task.WhenAny(_loop, timeout) != _loop)
        {
            await _abort.CancelAsync();
        }

        await _loop;
        var dropped = BufferedRows;
        if (dropped > 0)
        {
            _metrics.Dropped.Add(dropped, _tableTag);
            LogDropped(_logger, dropped, _table.Name);
        }
    }

    /// <summary>
    /// Stops at once without draining (use <see cref="StopAsync"/> to drain). Idempotent: the container disposes a
    /// writer registered both as itself and as a hosted service twice.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _buffer.Writer.TryComplete();
        await _abort.CancelAsync();
        await _loop;
        _abort.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _buffer.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_abort.Token))
            {
                await FillBatchAsync(reader);
                await FlushAsync();
                _waiters.ForEach(w => w.TrySetResult());
                _waiters.Clear();
            }
        }
        catch (Exception) when (_abort.IsCancellationRequested)
        {
            // Shutdown gave up on the store; StopAsync reports what was left. An insert that was still running may
            // end in a store error rather than a cancellation, which is the same outcome.
        }
        finally
        {
            while (reader.TryRead(out var entry))
            {
                if (entry.Written is { } waiter)
                {
                    _waiters.Add(waiter);
                }
                else
                {
                    Interlocked.Increment(ref _inFlight); // still counted as left behind by StopAsync
                }
            }

            _waiters.ForEach(w => w.TrySetException(new InvalidOperationException($"The {_table.Name} writer stopped before the rows were written.")));
            _waiters.Clear();
        }
    }

    /// <summary>
    /// Takes rows until the batch is full, its first row has waited a flush interval, or someone waits for the rows
    /// taken so far to be written. Rows already buffered are taken up to the backlog limit, so a writer that has
    /// fallen behind catches up in larger inserts.
    /// </summary>
    private async Task FillBatchAsync(ChannelReader<Entry> reader)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            while (_batch.Count < _backlogBatchRows && reader.TryRead(out var entry))
            {
                if (entry.Written is { } waiter)
                {
                    _waiters.Add(waiter);
                    return;
                }

                _batch.Add(entry.Row);
                Interlocked.Increment(ref _inFlight);
            }

            var remaining = _options.FlushInterval - _time.GetElapsedTime(started);
            if (_batch.Count >= _options.MaxBatchRows || remaining <= TimeSpan.Zero)
            {
                return;
            }

            using var interval = new CancellationTokenSource(remaining, _time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(interval.Token, _abort.Token);
            try
            {
                if (!await reader.WaitToReadAsync(wait.Token))
                {
                    return; // completed and drained: flush what we have now
                }
            }
            catch (OperationCanceledException) when (!_abort.IsCancellationRequested)
            {
                return; // the flush interval elapsed
            }
        }
    }

    private async Task FlushAsync()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        var started = _time.GetTimestamp();
        var delay = _options.InitialRetryDelay;
        var failures = 0;
        // One token for every attempt at this batch: an attempt whose answer was lost may have landed, and the table
        // then drops the retry instead of storing the batch twice (bronze tables have no replacing key to collapse it).
        var deduplicationToken = InsertDeduplicationToken.New();
        while (true)
        {
            // Encoded per attempt so ingest_ts is the time the rows actually land; the offload selects by it. If an
            // earlier attempt landed, its rows stay, with the time they landed.
            Encode();
            try
            {
                await _client.InsertAsync(_insertStatement, ClickHouseFormats.RowBinary, _encoded.WrittenMemory, deduplicationToken, _abort.Token);
                break;
            }
            catch (Exception e) when (!_abort.IsCancellationRequested)
            {
                failures++;
                _metrics.Failures.Add(1, _tableTag);
                LogInsertFailed(_logger, e, _table.Name, _batch.Count, failures, delay);
                await Task.Delay(Jitter(delay), _time, _abort.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }

        if (failures > 0)
        {
            LogRecovered(_logger, _table.Name, failures);
        }

        _landed?.Landed(_encodedRows, failures == 0 ? _encodedIngestTime : null);
        var written = _batch.Count - _unencodable;
        Interlocked.Add(ref _rowsWritten, written);
        _metrics.RowsWritten.Add(written, _tableTag);
        _metrics.BatchRows.Record(written, _tableTag);
        _metrics.FlushDuration.Record(_time.GetElapsedTime(started).TotalSeconds, _tableTag);
        Interlocked.Add(ref _inFlight, -_batch.Count);
        _batch.Clear();
    }

    /// <summary>
    /// Encodes the batch. A row the table cannot encode (a value out of its column's range) is a bug upstream, since
    /// parsers validate first; it is logged with its content, counted and left out, so one bad row never stalls the
    /// table. Rows are encoded one at a time into a scratch buffer so a failure leaves no partial row behind.
    /// </summary>
    private void Encode()
    {
        _encoded.ResetWrittenCount();
        _unencodable = 0;
        _encodedRows.Clear();
        var ingestTime = _encodedIngestTime = UnixMicros.Now(_time);
        foreach (var row in _batch)
        {
            _scratch.ResetWrittenCount();
            try
            {
                _table.Write(new RowBinaryWriter(_scratch), row, ingestTime);
            }
            catch (Exception e) when (e is ArgumentException or OverflowException)
            {
                _unencodable++;
                _metrics.Unencodable.Add(1, _tableTag);
                LogUnencodable(_logger, e, _table.Name, row?.ToString());
                continue;
            }

            _scratch.WrittenSpan.CopyTo(_encoded.GetSpan(_scratch.WrittenCount));
            _encoded.Advance(_scratch.WrittenCount);
            _encodedRows.Add(row);
        }
    }

    /// <summary>Between half and the full delay, so writers that failed together do not retry together.</summary>
    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.5 + (Random.Shared.NextDouble() / 2));

    [LoggerMessage(EventId = StorageEventIds.InsertFailed, Level = LogLevel.Warning,
        Message = "Insert into {Table} failed ({Rows} rows, attempt {Attempt}); retrying in about {Delay}")]
    private static partial void LogInsertFailed(ILogger logger, Exception exception, string table, int rows, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = StorageEventIds.InsertRecovered, Level = LogLevel.Information,
        Message = "Insert into {Table} succeeded after {Failures} failed attempts")]
    private static partial void LogRecovered(ILogger logger, string table, int failures);

    [LoggerMessage(EventId = StorageEventIds.RowUnencodable, Level = LogLevel.Error,
        Message = "A row for {Table} could not be encoded and was left out: {Row}")]
    private static partial void LogUnencodable(ILogger logger, Exception exception, string table, string? row);

    [LoggerMessage(EventId = StorageEventIds.WriterDropped, Level = LogLevel.Error,
        Message = "Gave up {Rows} rows for {Table} at shutdown: the store stayed unavailable")]
    private static partial void LogDropped(ILogger logger, long rows, string table);

    /// <summary>A row, or (with <see cref="Written"/> set) a request to be told when the rows before it are written.</summary>
    private readonly record struct Entry(TRow Row, TaskCompletionSource? Written);
}
