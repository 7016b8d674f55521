using System.Diagnostics;
using System.Threading.Channels;
using K2.Storage.Iceberg.Parquet;
using Microsoft.Extensions.Logging;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// ClickHouse running inside this process (chDB) behind <see cref="IClickHouseClient"/>. Holds three small pools of
/// connections to one data directory (queries, inserts, streamed results), each connection with a thread of its own
/// that makes the blocking native calls (<see cref="ChdbWorkerPool{TConnection}"/>), and closes every connection on
/// dispose and on process exit, since exiting with a connection open crashes in chDB's exit handlers
/// (reference/chdb.md rule 2). A cancellation token stops a request that has not started yet; a running statement
/// cannot be interrupted and is awaited to its end, except a stream, which stops at its next block. Result readers
/// run on those threads, before the native buffer is freed.
/// </summary>
public sealed partial class EmbeddedClickHouse : IClickHouseClient, IDisposable
{
    private static readonly Lock ProcessGate = new();
    private static string? s_openDataPath;

    /// <summary>How long <see cref="Dispose"/> waits for running statements before it closes their connections anyway.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Set on every streaming connection when it opens. chDB streams Parquet as one whole file per block, which
    /// <see cref="ParquetChunkStitcher"/> joins into one; it can move row groups but not page indexes or bloom filters,
    /// whose offsets lie outside the footer. An export gains little from either.
    /// </summary>
    private const string StreamingSettings = "SET output_format_parquet_write_page_index = 0, output_format_parquet_write_bloom_filter = 0";

    private readonly ChdbWorkerPool<ChdbConnection> _queries;
    private readonly ChdbWorkerPool<ChdbConnection> _inserts;
    private readonly ChdbWorkerPool<ChdbConnection> _streams;
    private readonly CancellationTokenSource _closing = new();
    private readonly ILogger _logger;
    private int _disposed;

    private EmbeddedClickHouse(string dataPath, ConnectionSets connections, ILogger logger)
    {
        DataPath = dataPath;
        _logger = logger;
        _queries = new ChdbWorkerPool<ChdbConnection>("query", connections.Queries);
        _inserts = new ChdbWorkerPool<ChdbConnection>("insert", connections.Inserts);
        _streams = new ChdbWorkerPool<ChdbConnection>("stream", connections.Streams);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public string DataPath { get; }

    /// <summary>
    /// Opens the engine on <see cref="EmbeddedClickHouseOptions.DataPath"/>. A process can have one data path open
    /// at a time (rule 5); another process holding the same path makes this fail with a clear message.
    /// </summary>
    public static EmbeddedClickHouse Open(EmbeddedClickHouseOptions options, ILogger<EmbeddedClickHouse> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueryConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InsertConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StreamConnections, 1);

        var libraryPath = ChdbLibrary.Load(options.LibraryPath);
        var dataPath = Path.GetFullPath(options.DataPath);
        Directory.CreateDirectory(dataPath);

        lock (ProcessGate)
        {
            if (s_openDataPath is not null)
            {
                throw new ClickHouseException(
                    $"This process already has the embedded ClickHouse open at {s_openDataPath}; it cannot also open {dataPath}.");
            }

            var connections = new List<ChdbConnection>();
            try
            {
                for (var i = 0; i < options.QueryConnections + options.InsertConnections + options.StreamConnections; i++)
                {
                    var handle = ChdbConnectionHandle.Connect(["clickhouse", $"--path={dataPath}"]) ?? throw new ClickHouseException(
                        $"Could not open the embedded ClickHouse at {dataPath}. Another process (a running K2?) may own this " +
                        "data directory; only one process can use it at a time.");
                    connections.Add(new ChdbConnection(handle));
                }

                // Before the pool's threads exist, so this thread is the only one using them (rule 6). A SET lasts for
                // the connection (measured: the other connections keep the defaults).
                foreach (var stream in connections[(options.QueryConnections + options.InsertConnections)..])
                {
                    stream.Query(StreamingSettings, ClickHouseFormats.TabSeparated, null, static _ => true);
                }
            }
            catch
            {
                connections.ForEach(c => c.Dispose());
                throw;
            }

            s_openDataPath = dataPath;
            LogOpened(logger, dataPath, connections.Count, libraryPath);
            var inserts = options.QueryConnections + options.InsertConnections;
            return new EmbeddedClickHouse(
                dataPath,
                new ConnectionSets(connections[..options.QueryConnections], connections[options.QueryConnections..inserts], connections[inserts..]),
                logger);
        }
    }

    public Task ExecuteAsync(string sql, ClickHouseParameters? parameters, CancellationToken cancellationToken) =>
        QueryAsync<bool>(sql, parameters, ClickHouseFormats.TabSeparated, static _ => true, cancellationToken);

    public Task<T> QueryAsync<T>(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseResultReader<T> read, CancellationToken cancellationToken) =>
        _queries.RunAsync(connection => connection.Query(sql, format, parameters, read), cancellationToken);

    /// <summary>
    /// Streams on a connection of its own pool (<see cref="EmbeddedClickHouseOptions.StreamConnections"/>), which it
    /// holds until the last block is written, so slow writers never take the connections of queries or inserts. The
    /// connection's thread fetches a block and queues chDB's own output of it (<see cref="NativeChunk"/>, freed once
    /// written), and waits while one chunk is queued: <paramref name="write"/> works on one chunk while the engine
    /// computes the next, so at most three blocks' output exist at a time. chDB stops a stream only between blocks, so
    /// after a cancellation or a failed write this waits for the block in progress, then returns with the query
    /// cancelled and the connection free. Parquet and CSVWithNames pieces are joined into one document
    /// (<see cref="IChunkJoiner"/>).
    /// </summary>
    public async Task QueryStreamAsync(
        string sql, ClickHouseParameters? parameters, string format, ClickHouseChunkWriter write, CancellationToken cancellationToken)
    {
        ClickHouseFormats.ThrowIfNotStreamable(format);
        ArgumentNullException.ThrowIfNull(write);
        IChunkJoiner joiner = format switch
        {
            ClickHouseFormats.Parquet => new ParquetChunkStitcher(write),
            ClickHouseFormats.CsvWithNames => new CsvHeaderChunkJoiner(write),
            _ => new ConcatenatingChunkJoiner(write),
        };
        var chunks = Channel.CreateBounded<NativeChunk>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        var production = _streams.RunAsync(
            connection =>
            {
                connection.Stream(sql, format, parameters, chunks.Writer, stop.Token);
                return true;
            },
            cancellationToken);

        // However the work ends (done, failed, cancelled or refused before it started), the reader learns it.
        _ = production.ContinueWith(
            static (_, writer) => ((ChannelWriter<NativeChunk>)writer!).TryComplete(), chunks.Writer,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            while (await chunks.Reader.WaitToReadAsync(cancellationToken))
            {
                while (chunks.Reader.TryRead(out var chunk))
                {
                    try
                    {
                        cancellationToken.ThrowIfCancellationRequested(); // a chunk fetched ahead is not written once cancelled
                        await joiner.AddAsync(chunk.Memory, cancellationToken);
                    }
                    finally
                    {
                        chunk.Release();
                    }
                }
            }

            await production;
            await joiner.CompleteAsync(cancellationToken);
        }
        catch
        {
            await stop.CancelAsync();
            await ((Task)production).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            while (chunks.Reader.TryRead(out var left))
            {
                left.Release();
            }

            throw;
        }
    }

    /// <summary>
    /// Streams the rows into the INSERT; a deduplication token travels in the statement's SETTINGS clause (it has only
    /// letters, digits, '-' and '_', so it needs no escaping), since chDB's insert stream takes no separate settings.
    /// </summary>
    public Task<long> InsertAsync(string insertStatement, string format, ReadOnlyMemory<byte> data, string? deduplicationToken, CancellationToken cancellationToken)
    {
        InsertDeduplicationToken.ThrowIfInvalid(deduplicationToken);
        var statement = deduplicationToken is null ? insertStatement : $"{insertStatement} SETTINGS insert_deduplication_token = '{deduplicationToken}'";
        return _inserts.RunAsync(connection => connection.Insert(statement, format, data.Span), cancellationToken);
    }

    /// <summary>
    /// Fails requests that have not started with <see cref="ObjectDisposedException"/>, waits up to 30 s in all for
    /// running statements, and closes every connection once. Safe to call from a continuation or a result reader.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _queries.Stop();
        _inserts.Stop();
        _streams.Stop();
        _closing.Cancel(); // running streams stop at their next block
        var started = Stopwatch.GetTimestamp();
        var queriesFinished = _queries.Close(CloseTimeout);
        var insertsFinished = _inserts.Close(CloseTimeout - Stopwatch.GetElapsedTime(started));
        var streamsFinished = _streams.Close(CloseTimeout - Stopwatch.GetElapsedTime(started));
        if (!(queriesFinished && insertsFinished && streamsFinished))
        {
            LogCloseTimedOut(_logger, DataPath, CloseTimeout);
        }

        lock (ProcessGate)
        {
            s_openDataPath = null;
        }

        LogClosed(_logger, DataPath);
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    private sealed record ConnectionSets(List<ChdbConnection> Queries, List<ChdbConnection> Inserts, List<ChdbConnection> Streams);

    [LoggerMessage(EventId = StorageEventIds.EmbeddedOpened, Level = LogLevel.Information,
        Message = "Embedded ClickHouse opened at {DataPath} with {Connections} connections ({LibraryPath})")]
    private static partial void LogOpened(ILogger logger, string dataPath, int connections, string libraryPath);

    [LoggerMessage(EventId = StorageEventIds.EmbeddedClosed, Level = LogLevel.Information, Message = "Embedded ClickHouse at {DataPath} closed")]
    private static partial void LogClosed(ILogger logger, string dataPath);

    [LoggerMessage(EventId = StorageEventIds.EmbeddedCloseTimedOut, Level = LogLevel.Warning,
        Message = "Embedded ClickHouse at {DataPath}: a statement was still running {Timeout} after close began; its connection closes when it returns")]
    private static partial void LogCloseTimedOut(ILogger logger, string dataPath, TimeSpan timeout);
}
